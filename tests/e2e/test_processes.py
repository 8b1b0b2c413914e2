"""`licensemint serve --processes N`: N API processes on one port and a worker process, on
PostgreSQL; they share one rate limit and add their counters up in one /metrics answer."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import WEBHOOK_SECRET
from tests.e2e.test_concurrency import distinct_sale
from tests.e2e.test_json_logs import JsonServer, parsed
from tests.e2e.test_metrics import value
from tests.e2e.test_server_process import KEY, LICENSEMINT, env_for, wait_for_files


def children(pid: int) -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append((int(entry.name), cmdline))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def status_of(request: urllib.request.Request) -> int:
    """The answer's status, on a new connection each time (so the kernel picks a process)."""
    request.add_header("Connection", "close")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def validate(base: str, key: str) -> int:
    return status_of(urllib.request.Request(base + "/v1/licenses/validate", data=json.dumps({"key": key}).encode(),
                                            headers={"Content-Type": "application/json"}))


def console_sign_in(base: str, token: str) -> int:
    """One sign-in attempt, with a double-submitted CSRF value."""
    csrf = "c" * 43
    return status_of(urllib.request.Request(
        base + "/console/sign-in", data=urllib.parse.urlencode({"csrf": csrf, "token": token}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"lm_csrf={csrf}"}))


def test_more_than_one_process_is_refused_on_sqlite_with_one_line(tmp_path):
    result = subprocess.run([LICENSEMINT, "serve", "--port", "0", "--processes", "2"], cwd=tmp_path,
                            env=env_for(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("licensemint: --processes above 1 needs PostgreSQL: SQLite takes one writer at a time")


@pytest.mark.postgres
def test_two_api_processes_share_one_rate_limit_and_one_metrics_answer(tmp_path, postgres_url):
    server = JsonServer(tmp_path, "--processes", "2", DATABASE_URL=postgres_url, LOG_FORMAT="json",
                        VALIDATE_RATE_LIMIT="5", METRICS_PORT="0")
    try:
        kids = children(server.proc.pid)
        api = [pid for pid, cmd in kids if " serve --child" in cmd]
        worker = [pid for pid, cmd in kids if " worker --child" in cmd]
        assert len(api) == 2 and len(worker) == 1, kids
        banner = " ".join(json.loads(line)["message"] for line in server.banner)
        assert "2 API processes; delivery worker: own process" in banner

        for i in range(3):
            assert server.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", distinct_sale(i)) == 200
        emails = wait_for_files(tmp_path / "var" / "mail", 3, timeout=30)
        key = KEY.search(emails[0].read_text()).group(0)

        # The limit counts in fixed one-minute windows: keep the burst inside one.
        if time.time() % 60 > 45:
            time.sleep(60.5 - time.time() % 60)
        answers = [validate(server.base, key) for _ in range(24)]  # a new connection each
        assert answers.count(200) == 5 and answers.count(429) == 19, answers
        # The console's ten sign-in attempts a minute are counted in the database too.
        attempts = [console_sign_in(server.base, "not-the-admin-token-at-all") for _ in range(16)]
        assert attempts.count(401) == 10 and attempts.count(429) == 6, attempts

        metrics_url = next(json.loads(line)["message"].split(": ", 1)[1] for line in server.banner
                           if "metrics (no token)" in line)
        with urllib.request.urlopen(metrics_url, timeout=10) as answer:
            text = answer.read().decode()
    finally:
        assert server.stop() == 0
    assert not any(alive(pid) for pid in api + worker)
    time.sleep(0.2)
    assert sorted(p.name for p in (tmp_path / "var" / "mail").glob("*.eml")) == sorted(e.name for e in emails)

    # Both API processes answered (the kernel spreads connections over SO_REUSEPORT sockets),
    # so the five allowed were counted across processes, in the database.
    records = parsed(server.log)
    served_by = {r["pid"] for r in records if r["logger"] == "aiohttp.access" and "/v1/licenses/validate" in r["message"]}
    assert served_by == set(api)
    signed_in_by = {r["pid"] for r in records if r["logger"] == "aiohttp.access" and "/console/sign-in" in r["message"]}
    assert signed_in_by == set(api)
    # One /metrics answer adds up every process's counters, the worker's included.
    assert value(text, "licensemint_validations_total", code="VALID") == 5
    assert value(text, "licensemint_rate_limited_total", limit="validate") == 19
    assert value(text, "licensemint_rate_limited_total", limit="console_sign_in") == 6
    assert value(text, "licensemint_webhooks_received_total", outcome="stored") == 3
    assert value(text, "licensemint_deliveries_total", outcome="sent") == 3
    assert value(text, "licensemint_events", status="processed") == 3


@pytest.mark.postgres
def test_an_api_process_that_dies_is_replaced(tmp_path, postgres_url):
    server = JsonServer(tmp_path, "--processes", "2", "--no-worker", DATABASE_URL=postgres_url, LOG_FORMAT="json")
    try:
        [first, second] = [pid for pid, cmd in children(server.proc.pid) if " serve --child" in cmd]
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = [pid for pid, cmd in children(server.proc.pid) if " serve --child" in cmd and pid != first]
            if len(now) == 2:
                break
            time.sleep(0.1)
        assert second in now and len(now) == 2
        assert server.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", distinct_sale(1)) == 200
    finally:
        assert server.stop() == 0
    assert any("exited" in r["message"] and "starting another" in r["message"] for r in parsed(server.log))


@pytest.mark.postgres
async def test_on_postgres_the_activation_limits_are_counted_in_the_database(start_service, postgres_url):
    from adapters.sql.tables import rate_limits

    service = await start_service(postgres_url, ACTIVATION_RATE_LIMIT="2")
    body = {"key": "LIC1.not.a.key", "fingerprint": "limit-machine-001"}
    if time.time() % 60 > 55:  # one fixed window for the three
        time.sleep(60.5 - time.time() % 60)
    answers = [(await service.client.post("/v1/licenses/activate", json=body)).status for _ in range(3)]
    assert answers[2] == 429 and 429 not in answers[:2]
    buckets = {row.bucket: row.hits for row in await service.rows(rate_limits)}
    assert buckets == {"activate_client": 3, "activate_license": 2}
