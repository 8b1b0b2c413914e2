"""GET /health (the process is alive) and GET /ready (the database answers)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from aiohttp import web
from dependency_injector.wiring import Provide, inject
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.errors import translate
from entrypoints.container import Container
from entrypoints.http.admin import admin_names, admin_of
from entrypoints.http.keys import CONTAINER, WORKER
from ports.errors import StorageUnavailable


async def health(request: web.Request) -> web.Response:
    """Alive, and what the delivery worker in this process last learned about the mailer:
    a configuration failure (bad token, unverified sender) is shown here until a send
    succeeds again. Anyone hears ok or degraded; the mail detail is for an admin token."""
    body: dict[str, Any] = {"status": "ok"}
    worker = request.app.get(WORKER)
    mail: dict[str, Any] | None = None
    if worker is not None:
        if worker.configuration_error:
            body["status"] = "degraded"
            mail = {"status": "configuration_error", "detail": worker.configuration_error}
        else:
            mail = {"status": "ok"}
    if mail is not None and admin_of(request, admin_names(request.app[CONTAINER].settings().admin_tokens)):
        body["mail"] = mail
    return web.json_response(body)


async def database_ready(engine: AsyncEngine) -> bool:
    """Whether the database answers (for the console's overview)."""
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        if not isinstance(translate(exc), StorageUnavailable):
            raise
        return False
    return True


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
