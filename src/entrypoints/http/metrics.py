"""GET /metrics: on the API port behind an admin token, or alone on METRICS_PORT."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from entrypoints import metrics as m

ENGINE = web.AppKey("metrics_engine", AsyncEngine)


async def scrape(request: web.Request) -> web.Response:
    body = await m.exposition(request.app[ENGINE])
    return web.Response(body=body, headers={"Content-Type": m.CONTENT_TYPE})


def metrics_app(engine: AsyncEngine) -> web.Application:
    """The application behind METRICS_PORT: /metrics and nothing else, no token (bind it
    to an address only the monitoring network reaches)."""
    app = web.Application()
    app[ENGINE] = engine
    app.router.add_get("/metrics", scrape)
    return app


async def start_metrics_site(engine: AsyncEngine, host: str, port: int, *, reuse_port: bool = False) -> web.AppRunner:
    runner = web.AppRunner(metrics_app(engine), handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_port=reuse_port or None)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise OSError(exc.errno, f"cannot listen for metrics on {host}:{port}: {exc.strerror}") from None
    return runner
