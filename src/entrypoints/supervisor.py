"""`licensemint serve --processes N`: N API processes on one port, plus the delivery worker
in a process of its own, watched by this small supervisor.

Each API process listens on the same port with SO_REUSEPORT, so the kernel spreads new
connections over them; the supervisor first binds the port itself (without listening) to
turn port 0 into a real port and keep it reserved. Children are fresh interpreters
(`python -m entrypoints.cli serve --child …`), started with PROMETHEUS_MULTIPROC_DIR set so
their counters add up in one /metrics answer. A child that dies is started again; one that
keeps dying stops the whole service with status 1. SIGTERM or SIGINT stops every child
gracefully (each finishes its requests and its in-flight emails) and then the supervisor.
"""

from __future__ import annotations

import logging
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO
from pathlib import Path

from entrypoints import metrics
from entrypoints.logs import refuse

log = logging.getLogger("licensemint.supervisor")

READY = "ready"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 30.0
RESTARTS_PER_MINUTE = 5


class SupervisorError(Exception):
    pass


@dataclass(slots=True, kw_only=True)
class Child:
    role: str  # "api" or "worker"
    argv: list[str]
    proc: subprocess.Popen[str] | None = None
    started: list[float] = field(default_factory=list)

    @property
    def running(self) -> subprocess.Popen[str]:
        """The process, once spawned."""
        assert self.proc is not None, f"{self.role} process not started"
        return self.proc


def reserve_port(host: str, port: int) -> socket.socket:
    """Binds (never listens on) host:port with SO_REUSEPORT: port 0 becomes a real port that
    every child can join, and nobody else can take it while the service runs."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SupervisorError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def _multiproc_dir() -> tuple[Path, bool]:
    """The directory for the children's counters, emptied of a previous run's files (as
    prometheus-client requires); a temporary one, removed at the end, unless given."""
    given = os.environ.get(metrics.MULTIPROC_ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for old in path.glob("*.db"):
            old.unlink()
        return path, False
    return Path(tempfile.mkdtemp(prefix="licensemint-metrics-")), True


class Supervisor:
    def __init__(
        self, *, processes: int, host: str, port: int, worker: bool,
        metrics_host: str = "127.0.0.1", metrics_port: int | None = None,
    ) -> None:
        self._processes = processes
        self._host = host
        self._port = port
        self._metrics = (metrics_host, metrics_port)
        self._worker = worker
        self._stopping = False
        self.port: int | None = None

    def _argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "entrypoints.cli", *args]

    def _spawn(self, child: Child, env: dict[str, str]) -> None:
        child.proc = subprocess.Popen(child.argv, env=env, stdout=subprocess.PIPE, text=True)
        now = time.monotonic()
        child.started = [t for t in child.started if t > now - 60] + [now]
        log.info("%s process %d started", child.role, child.proc.pid)

    def _wait_ready(self, children: list[Child]) -> None:
        selector = selectors.DefaultSelector()
        waiting = {}
        for child in children:
            selector.register(_stdout(child), selectors.EVENT_READ, child)
            waiting[child.running.pid] = child
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        try:
            while waiting:
                if self._stopping:
                    raise SupervisorError("stopped while starting")
                events = selector.select(timeout=min(0.5, max(0.0, deadline - time.monotonic())))
                for key, _ in events:
                    child = key.data
                    out = _stdout(child)
                    line = out.readline()
                    selector.unregister(out)
                    out.close()
                    waiting.pop(child.running.pid, None)
                    if line.strip() != READY:
                        code = child.running.wait(timeout=STOP_TIMEOUT_SECONDS)
                        raise SupervisorError(f"the {child.role} process exited while starting (status {code})")
                if time.monotonic() > deadline:
                    raise SupervisorError(f"processes not ready within {START_TIMEOUT_SECONDS:.0f}s")
        finally:
            selector.close()

    def run(self, announce: Callable[[int, str | None], None]) -> int:
        """`announce(port, metrics_url)` prints the banner once every child is ready."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        reserved = [reserve_port(self._host, self._port)]
        self.port = reserved[0].getsockname()[1]
        directory, temporary = _multiproc_dir()
        env = dict(os.environ, **{metrics.MULTIPROC_ENV: str(directory)})
        metrics_url = None
        metrics_host, wanted_metrics_port = self._metrics
        if wanted_metrics_port is not None:  # every API process serves it: any one sums them all
            try:
                reserved.append(reserve_port(metrics_host, wanted_metrics_port))
            except SupervisorError:
                for sock in reserved:
                    sock.close()
                raise
            metrics_port = reserved[-1].getsockname()[1]
            env["METRICS_PORT"] = str(metrics_port)
            metrics_url = f"http://{metrics_host}:{metrics_port}/metrics"
        children = [
            Child(role="api", argv=self._argv("serve", "--child", "--no-worker", "--host", self._host,
                                              "--port", str(self.port)))
            for _ in range(self._processes)
        ]
        if self._worker:
            children.append(Child(role="worker", argv=self._argv("worker", "--child")))
        try:
            for child in children:
                self._spawn(child, env)
            self._wait_ready(children)
            announce(self.port, metrics_url)
            return self._watch(children, env)
        except SupervisorError as exc:
            if not self._stopping:
                refuse(f"licensemint: {exc}")
                return 2
            return 0
        finally:
            self._stop_all(children)
            for sock in reserved:
                sock.close()
            if temporary:
                shutil.rmtree(directory, ignore_errors=True)

    def _watch(self, children: list[Child], env: dict[str, str]) -> int:
        while not self._stopping:
            time.sleep(0.2)
            for child in children:
                code = child.proc.poll() if child.proc else None
                if code is None or self._stopping:
                    continue
                pid = child.running.pid
                metrics.mark_process_dead(pid)
                if len(child.started) >= RESTARTS_PER_MINUTE:
                    log.error("%s process %d exited (status %s) %d times in a minute; stopping",
                              child.role, pid, code, len(child.started))
                    return 1
                log.error("%s process %d exited (status %s); starting another", child.role, pid, code)
                self._spawn(child, env)
                try:
                    self._wait_ready([child])
                except SupervisorError as exc:
                    log.error("%s", exc)
        return 0

    def _stop(self, signum: int, frame: object) -> None:
        self._stopping = True

    def _stop_all(self, children: list[Child]) -> None:
        running = [c.proc for c in children if c.proc and c.proc.poll() is None]
        for proc in running:
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for proc in running:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("process %d did not stop within %.0fs; killing it", proc.pid, STOP_TIMEOUT_SECONDS)
                proc.kill()
                proc.wait()
        for child in children:
            if child.proc:
                if child.proc.stdout and not child.proc.stdout.closed:
                    child.proc.stdout.close()
                metrics.mark_process_dead(child.proc.pid)


def _stdout(child: Child) -> IO[str]:
    out = child.running.stdout
    assert out is not None, "children are started with stdout=PIPE"
    return out
