"""A throwaway PostgreSQL cluster from the machine's binaries, for tests and benchmarks.

As root (CI, these machines) the cluster runs as the unprivileged `postgres` user, since
initdb refuses root. Data lives in a temporary directory that `stop()` removes.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class PostgresUnavailable(Exception):
    pass


def _binary(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if not found:
        raise PostgresUnavailable(
            f"{name} not found: install PostgreSQL's server binaries (Debian: apt-get install postgresql)"
        )
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayPostgres:
    """`durable=False` (tests) turns fsync off; benchmarks keep PostgreSQL's defaults, so
    a commit there costs what it costs in production."""

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        self.dir: Path | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def _as_owner(self, argv: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *argv]
        return argv

    def start(self) -> ThrowawayPostgres:
        initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
        self.dir = Path(tempfile.mkdtemp(prefix="licensemint-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        self.port = free_port()
        try:
            subprocess.run(
                self._as_owner([initdb, "-D", str(data), "-A", "trust", "-U", "postgres",
                                "-E", "UTF8", "--locale=C", "--no-sync"]),
                check=True, capture_output=True, text=True,
            )
            options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=300"
            if not self.durable:
                options += " -c fsync=off -c full_page_writes=off"
            subprocess.run(
                self._as_owner([pg_ctl, "-D", str(data), "-o", options,
                                "-l", str(self.dir / "log"), "-w", "-t", "60", "start"]),
                check=True, capture_output=True, text=True,
            )
        except subprocess.CalledProcessError as exc:
            log = (self.dir / "log").read_text() if (self.dir / "log").exists() else ""
            self.stop()
            raise PostgresUnavailable(f"{exc.cmd[0]} failed: {exc.stderr}{log}") from None
        return self

    def stop(self) -> None:
        if self.dir is None:
            return
        data = self.dir / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run(
                self._as_owner([_binary("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
            )
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


async def create_database(admin_url: str, name: str, template: str | None = None) -> None:
    import asyncpg

    dsn = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        suffix = f" TEMPLATE {template}" if template else ""
        await conn.execute(f'CREATE DATABASE "{name}"{suffix}')
    finally:
        await conn.close()
