"""The HTTP API through aiohttp's test client, on a real database and the real container."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestServer

from adapters.sql.tables import deliveries, events, licenses
from entrypoints.cli import build_container
from entrypoints.http.app import RUNNER_OPTIONS, create_app
from entrypoints.settings import load_settings
from tests.conftest import ADMIN_TOKEN, WEBHOOK_SECRET, make_env
from tests.support.openapi_check import check


class Service:
    def __init__(self, client, container, mail_dir: Path) -> None:
        self.client = client
        self.container = container
        self.mail_dir = mail_dir

    async def post_sale(self, body: bytes, secret: str = WEBHOOK_SECRET, **kw):
        return await self.client.post(
            f"/webhooks/gumroad?secret={secret}", data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"}, **kw,
        )

    async def call(self, method: str, path: str, *, token: str | None = ADMIN_TOKEN, **kw):
        """A request whose answer is checked against the OpenAPI document; (status, body)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.request(method, path, headers=headers, **kw)
        body = await response.json() if response.content_type == "application/json" else await response.text()
        check(method, path.split("?")[0], response.status, response.content_type, body)
        return response.status, body

    async def rows(self, table, *order_by):
        async with self.container.engine().connect() as conn:
            query = sa.select(table).order_by(*(order_by or table.primary_key.columns))
            return list(await conn.execute(query))

    async def licenses(self):
        return await self.rows(licenses)

    async def events(self):
        """In the order they arrived."""
        return await self.rows(events, events.c.received_at, events.c.id)

    async def deliveries(self):
        return await self.rows(deliveries)

    def emails(self) -> list[Path]:
        return sorted(self.mail_dir.glob("*.eml")) if self.mail_dir.exists() else []

    async def wait_for_emails(self, count: int, timeout: float = 5.0) -> list[Path]:
        for _ in range(int(timeout / 0.05)):
            if len(self.emails()) >= count:
                return self.emails()
            await asyncio.sleep(0.05)
        raise AssertionError(f"expected {count} emails, found {len(self.emails())}")


@pytest.fixture
def start_service(aiohttp_client, tmp_path):
    """Starts the app on a database URL; overrides are applied to the container first."""

    async def start(database_url: str, *, worker: bool = True, overrides=None, **env):
        settings = load_settings(make_env(tmp_path, database_url, **env))
        container = build_container(settings)
        for name, value in (overrides or {}).items():
            getattr(container, name).override(value)
        server = TestServer(create_app(container, worker=worker))
        await server.start_server(**RUNNER_OPTIONS)  # TestServer drops options given to __init__
        client = await aiohttp_client(server)
        return Service(client, container, settings.mail_dir)

    return start


@pytest.fixture
async def service(start_service, database_url):
    return await start_service(database_url)
