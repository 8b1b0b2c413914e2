"""The benchmark, in its quick form, so the script cannot rot. No thresholds: machines here
are shared and noisy; the numbers live in docs/performance.md, from a full run."""

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_the_quick_benchmark_runs_every_scenario_and_reports_it(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench/run.py"), "--quick", "--json", str(out)],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
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
