"""The benchmark, in its quick form, so the script cannot rot. No thresholds: machines here
are shared and noisy; the numbers live in docs/performance.md, from a full run."""

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def run_bench(*args: str, timeout: float) -> subprocess.CompletedProcess:
    """Like subprocess.run, but a timeout stops the benchmark with SIGTERM (as `timeout(1)`
    or a CI runner would) and waits for it to clean up, instead of SIGKILL."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench/run.py"), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.terminate()
        out, err = proc.communicate(timeout=120)
        raise AssertionError(f"benchmark timed out; stopped it: {out[-2000:]}{err[-2000:]}") from None
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def announced(stderr: str, what: str) -> list[str]:
    return re.findall(rf"^bench: {what} (\S+)$", stderr, re.M)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_the_quick_benchmark_runs_every_scenario_and_reports_it(tmp_path):
    out = tmp_path / "bench.json"
    result = run_bench("--quick", "--json", str(out), timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(out.read_text())
    assert set(report["http"]) == {"webhook-pg", "webhook-sqlite", "validate-pg"}
    for path, row in report["http"].items():
        for who in ("licensemint", "baseline"):
            assert row[who]["rps"] > 0 and row[who]["errors"] == 0, (path, who, row[who])
            assert row[who]["cpu_ms_per_req"] > 0 and row[who]["peak_rss_mb"] > 0
        assert row["ratio"] > 0
    mail = report["sale_to_email"]
    assert mail["delivered"] == mail["offered"] > 0 and mail["p95_ms"] is not None
    assert report["rss"]["sales"] == report["rss"]["emailed"] == 200
    two = report["two_processes"]
    for n in (1, 2):
        row = two[f"processes_{n}"]
        assert row["rps"] > 0 and row["errors"] == 0, row
        assert row["cpu_api_s"] > 0 and row["cpu_postgres_s"] > 0 and row["cpu_load_s"] > 0, row
    assert two["speedup"] > 0
    assert set(report["targets"]) == {"webhook-pg", "webhook-sqlite", "validate-pg", "sale-to-email",
                                      "rss-after-sales", "two-processes-pg"}
    for line in ("webhook-pg", "validate-pg", "÷ baseline", "sale → email", "peak RSS after", "--processes 2",
                 "speed-up", "targets:"):
        assert line in result.stdout
    [workdir] = announced(result.stderr, "working in")
    [pg_dir] = announced(result.stderr, "PostgreSQL in")
    assert not Path(workdir).exists() and not Path(pg_dir).exists()


def test_a_benchmark_stopped_midway_stops_its_servers_and_cluster_and_removes_its_folders(tmp_path):
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench/run.py"), "--quick", "--json", str(tmp_path / "b.json")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    seen = []
    try:
        for line in proc.stderr:
            seen.append(line)
            if line.startswith("bench: server pid"):
                break
        stderr = "".join(seen)
        [pg_dir] = announced(stderr, "PostgreSQL in")
        postmaster = int((Path(pg_dir) / "data" / "postmaster.pid").read_text().split()[0])
        [server] = [int(p) for p in announced(stderr, "server pid")]
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    [workdir] = announced(stderr, "working in")
    assert proc.returncode == 128 + signal.SIGTERM
    assert not alive(server) and not alive(postmaster)
    assert not Path(workdir).exists() and not Path(pg_dir).exists()
