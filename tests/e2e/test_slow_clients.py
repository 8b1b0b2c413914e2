"""Slow and vanishing clients over a real socket (issue 11, items 9 and 10). The limits are
shrunk for the test; their production values are checked against docs/deploy.md."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiohttp import web

from entrypoints.cli import build_container
from adapters.mail.smtp import QUIT_GRACE
from adapters.sql.unit_of_work import LOCK_WAIT
from entrypoints.http.app import KEEPALIVE_TIMEOUT, LINGERING_TIME, RUNNER_OPTIONS, create_app
from entrypoints.http.webhooks import MAX_BODY
from entrypoints.http.middleware import BODY_TIMEOUT, BODY_TIMEOUT_KEY
from entrypoints.settings import load_settings
from tests.conftest import ROOT, WEBHOOK_SECRET, make_env

# Generous: a bound on the test's own waiting, far above the shrunk limits.
PATIENCE = 10.0


@pytest.fixture
async def server(tmp_path, sqlite_url):
    """Run as `licensemint serve` runs it (aiohttp's test server would cancel handlers on
    disconnect, which production does not)."""
    container = build_container(load_settings(make_env(tmp_path, sqlite_url)))
    app = create_app(container, worker=False)
    app[BODY_TIMEOUT_KEY] = 0.5
    runner = web.AppRunner(app, **{**RUNNER_OPTIONS, "keepalive_timeout": 0.5})
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield site._server.sockets[0].getsockname()[:2]
    await runner.cleanup()


async def connect(server):
    return await asyncio.open_connection(*server)


async def closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sent before closing the connection."""
    return await asyncio.wait_for(reader.read(), PATIENCE)


async def test_an_idle_connection_is_closed(server):
    reader, writer = await connect(server)
    assert await closed_by_server(reader) == b""
    writer.close()


async def test_half_sent_headers_are_not_waited_for_for_ever(server):
    reader, writer = await connect(server)
    writer.write(f"POST /webhooks/gumroad?secret={WEBHOOK_SECRET} HTTP/1.1\r\nHost: x\r\n".encode())
    await writer.drain()
    assert await closed_by_server(reader) == b""
    writer.close()


async def test_an_idle_keep_alive_connection_is_closed_after_its_answer(server):
    reader, writer = await connect(server)
    writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    await writer.drain()
    answer = await closed_by_server(reader)
    assert answer.startswith(b"HTTP/1.1 200")
    writer.close()


async def test_a_body_trickled_too_slowly_is_answered_408_and_closed(server):
    reader, writer = await connect(server)
    writer.write(f"POST /webhooks/gumroad?secret={WEBHOOK_SECRET} HTTP/1.1\r\nHost: x\r\n"
                 "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\na".encode())
    await writer.drain()
    answer = await closed_by_server(reader)
    assert answer.startswith(b"HTTP/1.1 408")
    writer.close()


async def test_a_client_that_drops_mid_body_is_one_line_not_an_error(server, caplog):
    caplog.set_level(logging.INFO)
    reader, writer = await connect(server)
    writer.write(f"POST /webhooks/gumroad?secret={WEBHOOK_SECRET} HTTP/1.1\r\nHost: x\r\n"
                 "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nsale_id=".encode())
    await writer.drain()
    writer.close()
    for _ in range(100):
        if "disconnected" in caplog.text:
            break
        await asyncio.sleep(0.05)
    disconnects = [r for r in caplog.records if "disconnected" in r.getMessage()]
    assert len(disconnects) == 1 and disconnects[0].levelno in (logging.INFO, logging.WARNING)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text and " 500 " not in caplog.text


def test_the_documented_limits_are_the_ones_in_the_code():
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    limits = deploy.split("## Limits", 1)[1].split("\n## ", 1)[0]
    assert f"within {KEEPALIVE_TIMEOUT:g} s" in limits and f"closed after {KEEPALIVE_TIMEOUT:g} s" in limits
    assert f"whole within {BODY_TIMEOUT:g} s" in limits and f"at most {LINGERING_TIME:g} s" in limits
    assert f"{MAX_BODY // 1024} KiB" in limits
    assert "120 a minute per client" in limits and "20 an hour per client, 5 an hour per address" in limits
    assert f"up to {LOCK_WAIT:g} s" in limits
    assert f"then {QUIT_GRACE:g} s for `QUIT`" in limits
    from adapters.sql.engine import create_engine

    pool = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none").pool  # connects to nothing
    assert f"{pool.size()} connections per process, kept open (no overflow)" in limits
    assert pool._max_overflow == 0 and f"{pool._timeout:g} s waiting for one" in limits  # type: ignore[attr-defined]
