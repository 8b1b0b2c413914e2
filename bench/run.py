"""licensemint against the physical limit of its own stack, in one run on one machine.

    .venv/bin/python bench/run.py                 # the full run (about 10 minutes)
    .venv/bin/python bench/run.py --quick         # seconds: checks the harness works

Starts a throwaway PostgreSQL (fsync on) and an SMTP sink, runs each HTTP path against
licensemint and against a minimal aiohttp + asyncpg / sqlite3 program doing the same
durable work (bench/baseline_*.py), alternating the two over repeats and reporting medians,
with load from a separate process (bench/load.py). Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from adapters.signing.ed25519 import Ed25519Signer, load_private_key  # noqa: E402
from adapters.sql import migrate  # noqa: E402
from core.domain.keys import LicenseClaims  # noqa: E402
from tests.support.postgres import ThrowawayPostgres, create_database, free_port  # noqa: E402

PYTHON = sys.executable
LICENSEMINT = str(Path(sys.executable).with_name("licensemint"))
SECRET = "bench-secret-0123456789abcdef"
CLK = os.sysconf("SC_CLK_TCK")

# Issue 15's targets (the sale → email one at --rate 300, the default).
TARGETS = {
    "webhook-pg": ("rps ratio ≥ 0.55, p99 ≤ 100 ms", lambda r: r["ratio"] >= 0.55 and r["p99_ms"] <= 100),
    "webhook-sqlite": ("rps ratio ≥ 0.55", lambda r: r["ratio"] >= 0.55),
    "validate-pg": ("rps ratio ≥ 0.60", lambda r: r["ratio"] >= 0.6),
    "sale-to-email": ("p95 ≤ 1000 ms at 300 sales/s, every email once",
                      lambda r: r["rate"] >= 300 and r["p95_ms"] is not None and r["p95_ms"] <= 1000
                      and r["delivered"] == r["offered"]),
    "rss-after-sales": ("peak RSS ≤ 150 MB", lambda r: r["peak_rss_mb"] <= 150),
    "two-processes-pg": ("--processes 2 webhook rps ≥ 1.3 × one process",
                         lambda r: r["speedup"] is not None and r["speedup"] >= 1.3),
}


SCENARIOS = tuple(TARGETS)


# ---- processes -----------------------------------------------------------------------

def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not listen in time")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


def tree_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of a process and its children (a supervisor's API processes, the
    postmaster's backends), by pid."""
    seconds = {}
    for p in [pid, *children_of(pid)]:
        try:
            seconds[p] = cpu_seconds(p)
        except OSError:
            continue
    return seconds


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """Processes started in between count from zero; those that ended in between are lost."""
    return sum(t - before.get(p, 0.0) for p, t in after.items())


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def server(argv: list[str], env: dict, port: int, log: Path):
    with open(log, "ab") as out:
        proc = subprocess.Popen(argv, env={**os.environ, **env}, stdout=out, stderr=out, cwd=log.parent)
    try:
        print(f"bench: server pid {proc.pid}", file=sys.stderr, flush=True)
        wait_for_port(port, proc)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def licensemint(port: int, database_url: str, workdir: Path, *, worker: bool, **extra) -> tuple[list, dict]:
    argv = [LICENSEMINT, "serve", "--port", str(port)] + ([] if worker else ["--no-worker"])
    env = {"DATABASE_URL": database_url, "GUMROAD_WEBHOOK_SECRETS": SECRET, "VALIDATE_RATE_LIMIT": "0",
           "LICENSEMINT_VAR_DIR": str(workdir / "var"), "APP_ENV": "development", **extra}
    return argv, env


def load(url: str, mode: str, *, connections=32, duration=10.0, rate=None, max_requests=0, keys=None, tag="t") -> dict:
    argv = [PYTHON, str(ROOT / "bench/load.py"), "--url", url, "--mode", mode, "--connections", str(connections),
            "--duration", str(duration), "--tag", tag, "--max-requests", str(max_requests)]
    if rate:
        argv += ["--rate", str(rate)]
    if keys:
        argv += ["--keys", str(keys)]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


@contextmanager
def profiled(args, proc: subprocess.Popen, name: str | None):
    """With --profile, py-spy samples the server (and its children) while the block runs."""
    if not args.profile or name is None:
        yield
        return
    out = Path(args.profile) / f"{name}.folded"
    out.parent.mkdir(parents=True, exist_ok=True)
    spy = subprocess.Popen([str(Path(PYTHON).with_name("py-spy")), "record", "--pid", str(proc.pid), "--subprocesses",
                            "--format", "raw", "--rate", "250", "--output", str(out)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
        spy.wait(timeout=30)
        print(f"bench: profile {out}", file=sys.stderr, flush=True)


def measured(proc: subprocess.Popen, run) -> dict:
    before = cpu_seconds(proc.pid)
    result = run()
    used = cpu_seconds(proc.pid) - before
    result["cpu_ms_per_req"] = 1000 * used / result["requests"] if result["requests"] else None
    result["peak_rss_mb"] = peak_rss_mb(proc.pid)
    return result


# ---- SMTP sink -----------------------------------------------------------------------

class Sink:
    """Records when each recipient's email was accepted; nothing else, to stay cheap."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.received: dict[str, float] = {}
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        for rcpt in envelope.rcpt_tos:
            self.received.setdefault(rcpt, now)
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?starttls=off"

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self._controller.stop()


# ---- databases -----------------------------------------------------------------------

class Databases:
    def __init__(self, pg: ThrowawayPostgres, workdir: Path) -> None:
        self.pg = pg
        self.workdir = workdir
        self.template = "bench_template"
        asyncio.run(create_database(pg.url, self.template))
        migrate.upgrade(pg.url_for(self.template))
        self.sqlite_template = workdir / "template.db"
        migrate.upgrade(f"sqlite+aiosqlite:///{self.sqlite_template}")

    def fresh_pg(self) -> str:
        name = f"b_{uuid.uuid4().hex[:10]}"
        asyncio.run(create_database(self.pg.url, name, self.template))
        return self.pg.url_for(name)

    def fresh_sqlite(self) -> Path:
        path = self.workdir / f"{uuid.uuid4().hex[:10]}.db"
        shutil.copy(self.sqlite_template, path)
        return path


async def seed_licenses(dsn: str, count: int, keys_file: Path) -> None:
    """Licenses signed with the development key: 60 % active, 20 % revoked; the key list
    adds 20 % tampered keys."""
    import asyncpg

    signer = Ed25519Signer(load_private_key(str(ROOT / "config/dev-signing-key.pem"), "dev"))
    now = datetime.now(UTC)
    rows, keys = [], []
    for i in range(count):
        lid = f"lic_bench{i:06d}"
        key = signer.sign(LicenseClaims(lid=lid, product="acmesoft-pro", tier="desktop", seats=1, name=f"B {i}",
                                        iat=int(now.timestamp()), exp=None, test=False)).key
        status = "revoked" if i % 5 == 0 else "active"
        rows.append((lid, "gumroad", f"seed-{i}", "acmesoft-pro", "desktop", 1, f"s{i}@seed.bench", f"B {i}",
                     False, status, key, signer.signing_kid, now, now, now))
        if i % 5 == 1:
            keys.append({"key": key[:-3] + ("AAA" if not key.endswith("AAA") else "BBB"), "expect": "BAD_SIGNATURE"})
        else:
            keys.append({"key": key, "expect": "REVOKED" if status == "revoked" else "VALID"})
    conn = await asyncpg.connect(dsn.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.copy_records_to_table(
            "licenses", records=rows,
            columns=["id", "source", "order_id", "product", "tier", "seats", "email", "licensee", "test", "status",
                     "key", "kid", "issued_at", "created_at", "updated_at"])
    finally:
        await conn.close()
    keys_file.write_text(json.dumps(keys))


# ---- scenarios -------------------------------------------------------------------------

def http_pair(name, dbs, workdir, args, repeat, make_db, ours_env, baseline_argv, mode, path, keys=None):
    """One repeat of a path: licensemint and its baseline, in alternating order."""
    results = {}
    order = ["baseline", "licensemint"] if repeat % 2 == 0 else ["licensemint", "baseline"]
    for who in order:
        database = make_db()
        port = free_port()
        if who == "licensemint":
            argv, env = licensemint(port, **ours_env(database), workdir=workdir, worker=False)
        else:
            argv, env = baseline_argv(port, database), {"PYTHONPATH": str(ROOT)}
        url = f"http://127.0.0.1:{port}{path}"
        with server(argv, env, port, workdir / f"{name}-{who}.log") as proc:
            load(url, mode, connections=4, duration=1, keys=keys, tag=f"warm{repeat}{who}")  # warm-up
            with profiled(args, proc, f"{name}-{repeat}" if who == "licensemint" else None):
                results[who] = measured(proc, lambda: load(url, mode, connections=args.connections,
                                                           duration=args.duration, keys=keys, tag=f"r{repeat}{who}"))
    return results


def run_http_paths(dbs: Databases, workdir: Path, args) -> dict:
    paths = [p for p in ("webhook-pg", "webhook-sqlite", "validate-pg") if p in args.only]
    runs: dict[str, list] = {p: [] for p in paths}
    keys_file = workdir / "keys.json"
    if "validate-pg" in paths:
        validate_db = dbs.fresh_pg()
        asyncio.run(seed_licenses(validate_db, args.seed_licenses, keys_file))
    pg_dsn = lambda url: url.replace("postgresql+asyncpg://", "postgresql://")  # noqa: E731
    for repeat in range(args.repeats):
        if "webhook-pg" in paths:
            runs["webhook-pg"].append(http_pair(
                "webhook-pg", dbs, workdir, args, repeat, dbs.fresh_pg,
                lambda db: {"database_url": db},
                lambda port, db: [PYTHON, "-m", "bench.baseline_pg", "--port", str(port), "--dsn", pg_dsn(db)],
                "sale", f"/webhooks/gumroad?secret={SECRET}"))
        if "webhook-sqlite" in paths:
            runs["webhook-sqlite"].append(http_pair(
                "webhook-sqlite", dbs, workdir, args, repeat, dbs.fresh_sqlite,
                lambda path: {"database_url": f"sqlite+aiosqlite:///{path}"},
                lambda port, path: [PYTHON, "-m", "bench.baseline_sqlite", "--port", str(port), "--path", str(path)],
                "sale", f"/webhooks/gumroad?secret={SECRET}"))
        if "validate-pg" in paths:
            runs["validate-pg"].append(http_pair(
                "validate-pg", dbs, workdir, args, repeat, lambda: validate_db,
                lambda db: {"database_url": db},
                lambda port, db: [PYTHON, "-m", "bench.baseline_pg", "--port", str(port), "--dsn", pg_dsn(db)],
                "validate", "/v1/licenses/validate", keys=keys_file))
    return runs


def run_sale_to_email(dbs: Databases, workdir: Path, args) -> dict:
    with Sink() as sink:
        port = free_port()
        argv, env = licensemint(port, dbs.fresh_pg(), workdir, worker=True, SMTP_URL=sink.url)
        with server(argv, env, port, workdir / "sale-to-email.log") as proc, profiled(args, proc, "sale-to-email"):
            result = measured(proc, lambda: load(f"http://127.0.0.1:{port}/webhooks/gumroad?secret={SECRET}", "sale",
                                                 rate=args.rate, duration=args.rate_duration, tag="mail"))
            sent_at = result.pop("sent_at")
            deadline = time.monotonic() + 60
            while len(sink.received) < len(sent_at) and time.monotonic() < deadline:
                time.sleep(0.1)
    delays = sorted(1000 * (sink.received[a] - t) for a, t in sent_at.items() if a in sink.received)
    pick = lambda p: delays[min(len(delays) - 1, int(round(p / 100 * (len(delays) - 1))))] if delays else None  # noqa: E731
    return {"offered": len(sent_at), "delivered": len(delays), "rate": args.rate, "seconds": args.rate_duration,
            "p50_ms": pick(50), "p95_ms": pick(95), "p99_ms": pick(99), "http_p99_ms": result["p99_ms"],
            "errors": result["errors"], "cpu_ms_per_req": result["cpu_ms_per_req"], "peak_rss_mb": result["peak_rss_mb"]}


def run_two_processes(dbs: Databases, workdir: Path, args) -> dict:
    """The webhook on PostgreSQL with `serve --processes 2` against one process, alternating
    over repeats on fresh databases, with where the CPU went: the API processes, PostgreSQL
    (postmaster and backends) and the load generator."""
    import resource

    postmaster = int((dbs.pg.dir / "data" / "postmaster.pid").read_text().split()[0])
    runs = []
    for repeat in range(args.repeats):
        row = {}
        for n in ([1, 2] if repeat % 2 == 0 else [2, 1]):
            port = free_port()
            argv, env = licensemint(port, dbs.fresh_pg(), workdir, worker=False)
            argv += ["--processes", str(n)]
            url = f"http://127.0.0.1:{port}/webhooks/gumroad?secret={SECRET}"
            with server(argv, env, port, workdir / f"processes-{n}.log") as proc:
                load(url, "sale", connections=4, duration=1, tag=f"warm{repeat}p{n}")
                api, pg = tree_cpu(proc.pid), tree_cpu(postmaster)
                gen = resource.getrusage(resource.RUSAGE_CHILDREN)
                result = load(url, "sale", connections=args.connections, duration=args.duration, tag=f"r{repeat}p{n}")
                gen_after = resource.getrusage(resource.RUSAGE_CHILDREN)
                row[n] = {"rps": result["rps"], "p99_ms": result["p99_ms"], "errors": result["errors"],
                          "cpu_api_s": cpu_used(api, tree_cpu(proc.pid)),
                          "cpu_postgres_s": cpu_used(pg, tree_cpu(postmaster)),
                          "cpu_load_s": (gen_after.ru_utime + gen_after.ru_stime) - (gen.ru_utime + gen.ru_stime),
                          "seconds": args.duration}
        runs.append(row)
    summary = {}
    for n in (1, 2):
        summary[f"processes_{n}"] = {k: median([r[n][k] for r in runs]) for k in
                                     ("rps", "p99_ms", "cpu_api_s", "cpu_postgres_s", "cpu_load_s", "seconds")}
        summary[f"processes_{n}"]["errors"] = sum(r[n]["errors"] for r in runs)
    summary["speedup"] = median([r[2]["rps"] / r[1]["rps"] for r in runs if r[1]["rps"]])
    return summary


def run_rss(dbs: Databases, workdir: Path, args) -> dict:
    with Sink() as sink:
        port = free_port()
        argv, env = licensemint(port, dbs.fresh_pg(), workdir, worker=True, SMTP_URL=sink.url)
        with server(argv, env, port, workdir / "rss.log") as proc:
            result = load(f"http://127.0.0.1:{port}/webhooks/gumroad?secret={SECRET}", "sale", connections=32,
                          duration=3600, max_requests=args.rss_sales, tag="rss")
            deadline = time.monotonic() + 300
            while len(sink.received) < args.rss_sales and time.monotonic() < deadline:
                time.sleep(0.2)
            rss = peak_rss_mb(proc.pid)
    return {"sales": result["requests"], "errors": result["errors"], "emailed": len(sink.received),
            "peak_rss_mb": rss, "rps": result["rps"]}


# ---- report ----------------------------------------------------------------------------

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise(runs: dict) -> dict:
    table = {}
    for path, repeats in runs.items():
        row = {}
        for who in ("licensemint", "baseline"):
            row[who] = {k: median([r[who][k] for r in repeats]) for k in
                        ("rps", "p50_ms", "p95_ms", "p99_ms", "cpu_ms_per_req", "peak_rss_mb")}
            row[who]["errors"] = sum(r[who]["errors"] for r in repeats)
        # the ratio of each repeat (the two ran back to back), then the median
        row["ratio"] = median([r["licensemint"]["rps"] / r["baseline"]["rps"] for r in repeats if r["baseline"]["rps"]])
        row["p99_ms"] = row["licensemint"]["p99_ms"]
        table[path] = row
    return table


def fmt(value, digits=1):
    return "-" if value is None else f"{value:,.{digits}f}"


def print_report(report: dict) -> None:
    print(f"\nlicensemint benchmark — {report['machine']['cpu']} ({report['machine']['cores']} cores), "
          f"{report['config']['repeats']} repeats alternating, {report['config']['connections']} connections, "
          f"{report['config']['duration']} s each; medians\n")
    header = f"{'path':<16}{'who':<13}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'CPU ms/req':>12}{'peak RSS MB':>13}{'÷ baseline':>12}"
    print(header)
    print("-" * len(header))
    for path, row in report["http"].items():
        for who in ("licensemint", "baseline"):
            r = row[who]
            ratio = fmt(row["ratio"], 2) if who == "licensemint" else ""
            print(f"{path if who == 'licensemint' else '':<16}{who:<13}{fmt(r['rps'], 0):>10}{fmt(r['p50_ms']):>9}"
                  f"{fmt(r['p95_ms']):>9}{fmt(r['p99_ms']):>9}{r['errors']:>8}{fmt(r['cpu_ms_per_req'], 2):>12}"
                  f"{fmt(r['peak_rss_mb']):>13}{ratio:>12}")
    m = report["sale_to_email"]
    if m:
        print(f"\nsale → email at {m['rate']:.0f} sales/s for {m['seconds']:.0f} s: {m['delivered']}/{m['offered']} "
              f"delivered; p50 {fmt(m['p50_ms'])} ms, p95 {fmt(m['p95_ms'])} ms, p99 {fmt(m['p99_ms'])} ms "
              f"(HTTP p99 {fmt(m['http_p99_ms'])} ms, {m['errors']} errors)")
    t = report["two_processes"]
    if t:
        print("\nwebhook on PostgreSQL, one process against --processes 2 (CPU seconds over the run: API, "
              "PostgreSQL, load):")
        for n in (1, 2):
            r = t[f"processes_{n}"]
            print(f"  {n} process{'es' if n > 1 else '  '}: {fmt(r['rps'], 0):>8} req/s, p99 {fmt(r['p99_ms'])} ms, "
                  f"CPU {fmt(r['cpu_api_s'])} / {fmt(r['cpu_postgres_s'])} / {fmt(r['cpu_load_s'])} s "
                  f"of {fmt(r['seconds'])} s, {r['errors']} errors")
        print(f"  speed-up: {fmt(t['speedup'], 2)}×")
    r = report["rss"]
    if r:
        print(f"peak RSS after {r['sales']:,} sales ({r['emailed']:,} emailed): {fmt(r['peak_rss_mb'])} MB")
    print("\ntargets:")
    for name, (text, ok) in report["targets"].items():
        print(f"  {'HOLDS ' if ok else 'MISSED'} {name:<16} {text}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="a few seconds a scenario, one repeat: checks the harness")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--rate", type=float, default=300)
    p.add_argument("--rate-duration", type=float, default=30)
    p.add_argument("--rss-sales", type=int, default=20_000)
    p.add_argument("--seed-licenses", type=int, default=5_000)
    p.add_argument("--json", default=str(ROOT / "bench/results/latest.json"))
    p.add_argument("--keep-logs", action="store_true", help="keep the servers' logs and databases afterwards")
    p.add_argument("--only", default=",".join(SCENARIOS),
                   help=f"comma-separated scenarios to run (default: all of {', '.join(SCENARIOS)})")
    p.add_argument("--profile", metavar="DIR",
                   help="record each measured licensemint server with py-spy (raw, folded stacks) into DIR; "
                        "the figures of such a run are not measurements")
    args = p.parse_args()
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(args.only) - set(SCENARIOS))
    if unknown:
        p.error(f"--only: unknown scenario {', '.join(unknown)}")
    if args.quick:
        args.repeats, args.duration, args.connections = 1, 1.5, 8
        args.rate, args.rate_duration, args.rss_sales, args.seed_licenses = 20, 2, 200, 200

    # A timeout or `kill` sends SIGTERM: unwind like Ctrl-C, so every `with` and `finally`
    # below stops its server, the PostgreSQL cluster, and removes the temporary folders.
    signal.signal(signal.SIGTERM, _stop)
    workdir = Path(tempfile.mkdtemp(prefix="licensemint-bench-"))
    print(f"bench: working in {workdir}", file=sys.stderr, flush=True)
    started = time.time()
    try:
        with ThrowawayPostgres(durable=True) as pg:
            print(f"bench: PostgreSQL in {pg.dir}", file=sys.stderr, flush=True)
            dbs = Databases(pg, workdir)
            http = summarise(run_http_paths(dbs, workdir, args))
            two = run_two_processes(dbs, workdir, args) if "two-processes-pg" in args.only else None
            mail = run_sale_to_email(dbs, workdir, args) if "sale-to-email" in args.only else None
            rss = run_rss(dbs, workdir, args) if "rss-after-sales" in args.only else None
    finally:
        if args.keep_logs:
            print(f"bench: logs kept in {workdir}", file=sys.stderr, flush=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.time() - started),
        "machine": machine(),
        "config": {k: getattr(args, k) for k in ("repeats", "duration", "connections", "rate", "rate_duration",
                                                 "rss_sales", "quick")},
        "http": http, "sale_to_email": mail, "rss": rss, "two_processes": two,
    }
    flat = {**http, "sale-to-email": mail, "rss-after-sales": rss, "two-processes-pg": two}
    report["targets"] = {name: (text, bool(check(flat[name]))) for name, (text, check) in TARGETS.items()
                         if flat.get(name) is not None}
    print_report(report)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=2))
    print(f"\nJSON: {args.json}" + (f"; logs: {workdir}" if args.keep_logs else ""))
    return 0


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    pg = subprocess.run(["postgres", "--version"], capture_output=True, text=True).stdout.strip() if shutil.which("postgres") else "?"
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem / 1024 / 1024, 1),
            "python": platform.python_version(), "postgres": pg, "kernel": platform.release()}


if __name__ == "__main__":
    sys.exit(main())
