"""What every page shares: the Jinja2 environment (autoescaped), rendering, the security
headers (CSP without inline script), and domain errors shown as an HTML page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import logging
from pathlib import Path

import jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from core.domain.errors import DomainError, NotFound
from core.domain.lifecycle import IllegalTransition
from ports.errors import StorageUnavailable

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
STATIC = HERE / "static"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
WEB_PREFIXES = ("/console", "/portal", "/static/")

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(HERE / "templates")),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def _money(price: Any) -> str:
    if price is None:
        return "—"
    return f"{price.cents / 100:.2f} {price.currency or ''}".strip()


_env.filters["when"] = _when
_env.filters["money"] = _money


def render(template: str, *, status: int = 200, **context: Any) -> web.Response:
    html = _env.get_template(template).render(**context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def is_web(path: str) -> bool:
    return path in ("/console", "/portal") or path.startswith(("/console/", "/portal/", "/static/"))


@web.middleware
async def web_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on every page, and domain errors as a page rather than JSON."""
    if not is_web(request.path):
        return await handler(request)
    try:
        response = await handler(request)
    except NotFound as exc:
        response = render("error.html", status=404, title="Not found", message=exc.message)
    except IllegalTransition as exc:
        response = render("error.html", status=409, title="Not allowed", message=exc.message)
    except DomainError as exc:
        response = render("error.html", status=422, title="Please check", message=exc.message)
    except web.HTTPException as exc:
        if exc.status >= 400 and exc.status != 404:
            response = render("error.html", status=exc.status, title=exc.reason, message=exc.reason)
        else:
            raise
    except StorageUnavailable as exc:
        log.warning("storage unavailable on %s %s: %s", request.method, request.path, exc)
        response = render("error.html", status=503, title="Database unavailable",
                          message="The database is unavailable; try again in a moment.")
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        response = render("error.html", status=500, title="Something went wrong",
                          message="An internal error; the server log has the details.")
    if not response.prepared:  # a streamed page set them itself before its first byte
        secure_headers(response, static=request.path.startswith("/static/"))
    return response


def secure_headers(response: web.StreamResponse, *, static: bool = False) -> None:
    h = response.headers
    h["Content-Security-Policy"] = CSP
    h["X-Content-Type-Options"] = "nosniff"
    h["X-Frame-Options"] = "DENY"
    h["Referrer-Policy"] = "no-referrer"
    if not static:
        h["Cache-Control"] = "no-store"


def render_part(template: str, **context: Any) -> str:
    return _env.get_template(template).render(**context)


def setup_static(app: web.Application) -> None:
    app.router.add_static("/static/", STATIC, follow_symlinks=False)
