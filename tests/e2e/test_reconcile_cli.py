"""`licensemint reconcile` as an operator runs it, against the fake Sales API."""

from __future__ import annotations

import asyncio
import json

from tests.e2e.test_server_process import run_cli
from tests.support.fake_gumroad import TOKEN

PRO = "32-nPAicqbLj8B_WswVlMw=="


async def cli(tmp_path, fake, *args, **env):
    env = {"GUMROAD_ACCESS_TOKEN": TOKEN, "GUMROAD_API_URL": fake.url, **env}
    assert (await asyncio.to_thread(run_cli, tmp_path, "migrate", **env)).returncode == 0  # only migrate creates one
    result = await asyncio.to_thread(run_cli, tmp_path, "reconcile", *args, **env)
    return result.returncode, result.stdout, result.stderr


async def test_reconcile_prints_the_summary_and_exits_0_when_every_page_was_read(tmp_path, fake_gumroad):
    fake_gumroad.add_sale(product_id=PRO, email="a@example.com")
    fake_gumroad.add_sale(product_id="bm90LWluLXRoZS1jYXRhbG9nLQ==", email="b@example.com")
    code, out, err = await cli(tmp_path, fake_gumroad, "--dry-run")
    assert code == 0 and "dry run" in out and "missing sales would be recovered: 2" in out
    assert "lifecycle changes found: 0" in out
    code, out, err = await cli(tmp_path, fake_gumroad)
    assert code == 0, err
    assert "pages read: 1" in out and "sales seen: 2" in out and "missing sales recovered: 2" in out
    assert "failures: 1" in out and "not in the catalog" in out and TOKEN not in out + err
    code, out, _ = await cli(tmp_path, fake_gumroad, "--json")
    summary = json.loads(out)
    assert code == 0 and summary["complete"] and summary["recovered"] == [] and summary["sales_seen"] == 2


async def test_reconcile_exits_1_when_a_page_cannot_be_read(tmp_path, fake_gumroad):
    fake_gumroad.script = ["401"]
    code, out, _ = await cli(tmp_path, fake_gumroad)
    assert code == 1 and "incomplete" in out and "401" in out and "GUMROAD_ACCESS_TOKEN" in out


async def test_reconcile_without_a_token_exits_2_and_says_what_is_missing(tmp_path, fake_gumroad):
    code, _, err = await cli(tmp_path, fake_gumroad, GUMROAD_ACCESS_TOKEN="")
    assert code == 2 and "GUMROAD_ACCESS_TOKEN" in err


async def test_a_bad_since_is_refused_naming_the_format(tmp_path, fake_gumroad):
    code, _, err = await cli(tmp_path, fake_gumroad, "--since", "yesterday")
    assert code == 2 and "YYYY-MM-DD" in err


async def test_on_a_terminal_reconcile_shows_its_progress(tmp_path, fake_gumroad):
    import os
    import pty
    import subprocess
    from datetime import timedelta

    from tests.e2e.test_server_process import LICENSEMINT, env_for

    for i in range(12):
        fake_gumroad.add_sale(product_id=PRO, email=f"p{i}@example.com", ago=timedelta(minutes=30 - i))
    primary, secondary = pty.openpty()

    def run():
        env = env_for(tmp_path, GUMROAD_ACCESS_TOKEN=TOKEN, GUMROAD_API_URL=fake_gumroad.url)
        subprocess.run([LICENSEMINT, "migrate"], cwd=tmp_path, env=env, check=True, capture_output=True)
        return subprocess.run([LICENSEMINT, "reconcile"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=secondary, text=True, timeout=60)

    try:
        result = await asyncio.to_thread(run)
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(primary)
    assert result.returncode == 0 and "missing sales recovered: 12" in result.stdout
    assert b"1 page(s) read, 10 sale(s) seen" in shown and b"2 page(s) read, 12 sale(s) seen" in shown


async def test_the_worker_process_reconciles_at_start_and_stops_cleanly(tmp_path, fake_gumroad):
    import signal
    from datetime import timedelta

    from tests.e2e.test_server_process import LICENSEMINT, env_for

    fake_gumroad.add_sale(product_id=PRO, email="missed@example.com")
    env = env_for(tmp_path, GUMROAD_ACCESS_TOKEN=TOKEN, GUMROAD_API_URL=fake_gumroad.url,
                  MAIL_DIR=str(tmp_path / "mail"))
    assert (await asyncio.to_thread(run_cli, tmp_path, "migrate", **env)).returncode == 0
    proc = await asyncio.create_subprocess_exec(
        LICENSEMINT, "worker", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        for _ in range(300):
            if list((tmp_path / "mail").glob("*.eml")):
                break
            await asyncio.sleep(0.05)
        [eml] = list((tmp_path / "mail").glob("*.eml"))
        assert "missed@example.com" in eml.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    log = (out + err).decode()
    assert "reconciliation from" in log and "1 recovered" in log and TOKEN not in log
    assert [q["after"] for path, q in fake_gumroad.requests if path == "/v2/sales"] == [
        (fake_gumroad.now - timedelta(days=30)).date().isoformat()]
