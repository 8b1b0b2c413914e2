"""GET /health (the process is alive) and GET /ready (the database answers)."""

from __future__ import annotations

import sqlalchemy as sa
from aiohttp import web
from dependency_injector.wiring import Provide, inject
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.unit_of_work import translate
from entrypoints.container import Container
from ports.errors import StorageUnavailable


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@inject
async def ready(
    request: web.Request, engine: AsyncEngine = Provide[Container.engine]
) -> web.Response:
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        translated = translate(exc)
        if not isinstance(translated, StorageUnavailable):
            raise
        return web.json_response({"status": "unavailable", "database": str(translated)}, status=503)
    return web.json_response({"status": "ready"})
