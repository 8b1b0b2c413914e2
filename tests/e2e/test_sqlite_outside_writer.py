"""Another process holding SQLite's write lock (a backup, a sqlite3 shell, a second
licensemint) neither freezes the server's event loop nor crashes the CLI (issue 11, item 11)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from adapters.sql.tables import events
from tests.bodies import sale_body
from tests.conftest import make_env
from tests.e2e.test_server_process import LICENSEMINT


class OutsideWriter:
    """Holds the write lock from another connection, on another thread, until released."""

    def __init__(self, path: str) -> None:
        self._path = path
        self.held = threading.Event()
        self.release = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        db.execute("BEGIN IMMEDIATE")
        self.held.set()
        self.release.wait(30)
        db.execute("COMMIT")
        db.close()

    def __enter__(self) -> OutsideWriter:
        self._thread.start()
        self.held.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self._thread.join()


async def opened(pid: int, path: str) -> None:
    """Until the process has the database open: it is about to read and write it."""
    for _ in range(600):
        try:
            if any(os.path.realpath(f"/proc/{pid}/fd/{fd}") == path for fd in os.listdir(f"/proc/{pid}/fd")):
                return
        except OSError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("the CLI never opened the database")


def sqlite_path(url: str) -> str:
    return url.split(":///", 1)[1]


async def test_the_loop_keeps_answering_while_a_webhook_waits_for_the_lock(start_service, sqlite_url):
    service = await start_service(sqlite_url, worker=False)
    with OutsideWriter(sqlite_path(sqlite_url)):
        webhook = asyncio.ensure_future(service.post_sale(sale_body()))
        await asyncio.sleep(0.05)  # let it start and meet the lock
        health = await service.client.get("/health")
        assert health.status == 200
        assert not webhook.done()  # still waiting for the lock, without holding up the loop
    response = await webhook
    assert response.status == 200
    [event] = await service.events()
    assert event.status == "processed"


async def test_replaying_failed_events_from_the_cli_waits_out_the_lock(start_service, sqlite_url, tmp_path):
    service = await start_service(sqlite_url, worker=False)
    for i in range(3):
        await service.post_sale(sale_body(sale_id=f"s{i}==", product_id="not-mapped-yet"))
    async with service.container.engine().begin() as conn:
        await conn.execute(sa.update(events).values(received_at=datetime.now(UTC) - timedelta(hours=1)))
    env = make_env(tmp_path, sqlite_url)
    with OutsideWriter(sqlite_path(sqlite_url)) as writer:
        cli = subprocess.Popen([LICENSEMINT, "events", "replay", "--failed"], cwd=tmp_path,
                               env={**env, "PATH": "/usr/bin:/bin"}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        await opened(cli.pid, sqlite_path(sqlite_url))
        await asyncio.sleep(4)  # past the old 2 s busy timeout, which ended in a traceback
        writer.release.set()
    out, err = cli.communicate(timeout=60)
    assert cli.returncode == 0, err
    assert "replayed 3: 0 processed, 3 still failed" in out and "Traceback" not in err
