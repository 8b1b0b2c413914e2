"""Separate processes on one PostgreSQL: migrations, API without worker, two workers."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from adapters.sql.engine import create_engine
from adapters.sql.tables import deliveries
from tests.conftest import ROOT, WEBHOOK_SECRET, gumroad_body, run_in_thread
from tests.e2e.test_concurrency import distinct_sale
from tests.e2e.test_server_process import LICENSEMINT, Server, env_for, run_cli
from tests.support.postgres import create_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def empty_postgres(postgres_server) -> str:
    name = f"p_{uuid.uuid4().hex[:10]}"
    run_in_thread(create_database, postgres_server, name)
    return postgres_server.rsplit("/", 1)[0] + "/" + name


def test_serve_refuses_a_database_that_is_behind_and_migrate_fixes_it(tmp_path, empty_postgres):
    refused = run_cli(tmp_path, "serve", "--port", "0", DATABASE_URL=empty_postgres)
    assert refused.returncode == 2 and "licensemint migrate" in refused.stderr
    check = run_cli(tmp_path, "migrate", "--check", DATABASE_URL=empty_postgres)
    assert check.returncode == 1 and "behind" in check.stdout
    assert run_cli(tmp_path, "migrate", DATABASE_URL=empty_postgres).returncode == 0
    check = run_cli(tmp_path, "migrate", "--check", DATABASE_URL=empty_postgres)
    assert check.returncode == 0 and "up to date" in check.stdout


def test_serve_migrate_flag_migrates_postgres_on_start(tmp_path, empty_postgres):
    server = Server(tmp_path, "--migrate", "--no-worker", DATABASE_URL=empty_postgres)
    try:
        assert "database: postgresql" in "".join(server.banner)
        assert "delivery worker: off" in "".join(server.banner)
    finally:
        assert server.stop() == 0


def test_the_smoke_script_passes_against_a_real_server_on_postgres(tmp_path, postgres_url):
    server = Server(tmp_path, DATABASE_URL=postgres_url)
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts/smoke.py"), "--url", server.base, "--secret", WEBHOOK_SECRET],
            env=env_for(tmp_path, DATABASE_URL=postgres_url), capture_output=True, text=True, timeout=60,
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke test passed" in result.stdout and "FAIL" not in result.stdout


def test_the_smoke_script_fails_when_a_check_fails(tmp_path, postgres_url):
    server = Server(tmp_path, DATABASE_URL=postgres_url)
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts/smoke.py"), "--url", server.base, "--secret", "not-the-secret-at-all"],
            env=env_for(tmp_path, DATABASE_URL=postgres_url), capture_output=True, text=True, timeout=60,
        )
    finally:
        server.stop()
    assert result.returncode == 1 and "FAIL sale ping answers 200" in result.stdout


async def _claim_as_dead_worker(url: str, count: int, lease_seconds: float) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            ids = [r.id for r in await conn.execute(sa.select(deliveries.c.id).order_by(deliveries.c.id).limit(count))]
            now = (await conn.execute(sa.select(sa.func.now()))).scalar_one()
            await conn.execute(
                deliveries.update().where(deliveries.c.id.in_(ids)).values(
                    worker_id="dead-worker", lease_until=now + timedelta(seconds=lease_seconds),
                    attempts=deliveries.c.attempts + 1,
                )
            )
    finally:
        await engine.dispose()


async def _delivery_rows(url: str):
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return list(await conn.execute(sa.select(deliveries)))
    finally:
        await engine.dispose()


def test_two_worker_processes_send_each_email_exactly_once_and_take_over_dead_claims(tmp_path, postgres_url):
    api = Server(tmp_path, "--no-worker", DATABASE_URL=postgres_url)
    try:
        for i in range(120):
            assert api.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", distinct_sale(i)) == 200
    finally:
        api.stop()
    assert not (tmp_path / "var" / "mail").exists()  # the API alone sends nothing
    asyncio.run(_claim_as_dead_worker(postgres_url, 10, lease_seconds=3))

    env = env_for(tmp_path, DATABASE_URL=postgres_url)
    logs = [open(tmp_path / f"worker{i}.log", "w") for i in range(2)]
    workers = [subprocess.Popen([LICENSEMINT, "worker"], cwd=tmp_path, env=env, stdout=log, stderr=log) for log in logs]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            rows = asyncio.run(_delivery_rows(postgres_url))
            if all(r.status == "sent" for r in rows):
                break
            time.sleep(0.3)
    finally:
        for w in workers:
            w.terminate()
        codes = [w.wait(timeout=30) for w in workers]
        for log in logs:
            log.close()
    assert codes == [0, 0]
    rows = asyncio.run(_delivery_rows(postgres_url))
    assert len(rows) == 120 and all(r.status == "sent" for r in rows), [r.status for r in rows if r.status != "sent"]
    files = sorted(p.name for p in (tmp_path / "var" / "mail").glob("*.eml"))
    assert files == sorted(f"{r.id}.eml" for r in rows)  # no <id>.2.eml: nothing sent twice
    taken_over = [r for r in rows if r.attempts == 2]
    assert len(taken_over) == 10  # the dead worker's claims, taken over after the lease
    # Which worker sends how many depends on timing (one may drain the queue before the
    # other's first poll); claims racing on one row are the contract tests' business
    # (test_concurrent_claims_never_hand_out_one_delivery_twice, on PostgreSQL too).
    assert all("delivery worker" in (tmp_path / f"worker{i}.log").read_text() for i in range(2))
