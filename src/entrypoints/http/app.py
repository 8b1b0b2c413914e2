"""The aiohttp application."""

from __future__ import annotations

from typing import Any

from collections.abc import AsyncIterator

from aiohttp import web

from adapters.sql.engine import is_sqlite
from adapters.sql.rate_limits import SqlRateCounter
from entrypoints.container import Container, close
from entrypoints.http.access_log import RedactingAccessLogger
from entrypoints.http import (
    activation, admin, admin_activations, clients, health, metrics, middleware, openapi, public, webhooks,
)
from entrypoints.http.keys import CONTAINER, SALES_JOBS, WORKER
from entrypoints.http.ratelimit import RATE_COUNTER
from entrypoints.http.request_id import request_ids
from entrypoints.sales_jobs import sales_jobs
from entrypoints.http.web import routes as web_routes
from entrypoints.worker import DeliveryWorker

# How every runner of the app must be configured (the CLI's and the tests').
# keepalive_timeout closes a connection that has not completed a request's headers within
# that time of opening or of its previous answer: idle keep-alives and half-sent headers.
KEEPALIVE_TIMEOUT = 15.0
# lingering_time bounds how long an unread body is drained after an early answer.
LINGERING_TIME = 2.0
RUNNER_OPTIONS: dict[str, Any] = {
    "access_log_class": RedactingAccessLogger,
    "keepalive_timeout": KEEPALIVE_TIMEOUT,
    "lingering_time": LINGERING_TIME,
}


def setup_routes(app: web.Application) -> None:
    app.router.add_route("*", "/webhooks/gumroad", webhooks.gumroad)
    app.router.add_get("/health", health.health)
    app.router.add_get("/ready", health.ready)
    app.router.add_get("/v1/keys", public.keys)
    app.router.add_post("/v1/licenses/validate", public.validate)
    app.router.add_post("/v1/licenses/resend", public.resend)
    app.router.add_post("/v1/licenses/activate", activation.activate)
    app.router.add_post("/v1/licenses/deactivate", activation.deactivate)
    app.router.add_get("/openapi.json", openapi.document)
    app.router.add_get("/metrics", metrics.scrape)  # behind the admin token (admin.auth_middleware)
    admin.setup_admin_routes(app)
    admin_activations.setup_routes(app)


def create_app(container: Container, *, worker: bool = True) -> web.Application:
    app = web.Application(
        middlewares=[
            request_ids,
            clients.identify_client,
            middleware.errors,
            *web_routes.MIDDLEWARES,
            admin.auth_middleware(container.settings().admin_tokens),
            middleware.read_body_in_time,
        ],
        client_max_size=webhooks.MAX_BODY,
    )
    app[CONTAINER] = container
    app[clients.TRUSTED] = container.settings().trusted_proxies
    app[metrics.ENGINE] = container.engine()
    app.on_response_prepare.append(middleware.security_headers)
    container.wire(modules=[webhooks, health, public, admin, activation, admin_activations])
    app[RATE_COUNTER] = _shared_counter(container)
    public.setup_limits(app, container.settings().validate_rate_limit, app[RATE_COUNTER])
    activation.setup_limits(app, container.settings().activation_rate_limit, app[RATE_COUNTER])
    setup_routes(app)
    settings = container.settings()
    web_routes.setup(app, settings.admin_tokens, getattr(settings, "trusted_proxies", ()))
    app.cleanup_ctx.append(_engine_ctx)
    if worker:
        app[WORKER] = DeliveryWorker(container.deliver_pending(), container.wakeup())
        app[SALES_JOBS] = sales_jobs(container)
        app.cleanup_ctx.append(_worker_ctx)
    return app


def _shared_counter(container: Container) -> SqlRateCounter | None:
    """Rate limits in the database on PostgreSQL (shared by processes and machines); in the
    process on SQLite, which runs one process (see ratelimit.py)."""
    if is_sqlite(container.settings().database_url):
        return None
    return SqlRateCounter(container.engine())


async def _engine_ctx(app: web.Application) -> AsyncIterator[None]:
    yield
    container = app[CONTAINER]
    container.unwire()
    await close(container)


async def _worker_ctx(app: web.Application) -> AsyncIterator[None]:
    worker, jobs = app[WORKER], app[SALES_JOBS]
    worker.start()
    jobs.start()
    yield
    await jobs.stop()
    await worker.stop()
