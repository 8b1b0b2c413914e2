"""Errors to HTTP answers, in one place."""

from __future__ import annotations

from aiohttp.typedefs import Handler

import asyncio

from collections.abc import Awaitable, Callable

import logging

from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError

from core.domain.errors import DomainError, InvalidInput, NotFound
from core.domain.lifecycle import IllegalTransition
from ports.errors import DataRejected, StorageUnavailable

log = logging.getLogger(__name__)

NOT_FOUND_BODY = "404: Not Found"


def not_found() -> web.Response:
    """The one 404 every unknown path and every unauthorised webhook gets, byte for byte."""
    return web.Response(status=404, text=NOT_FOUND_BODY)


# A body must arrive whole within this time (bodies are at most 64 KiB): a client that
# trickles it a byte at a time is cut off instead of holding a connection for ever.
BODY_TIMEOUT = 10.0
BODY_TIMEOUT_KEY = web.AppKey("body_timeout", float)
CLIENT_CLOSED = 499  # nginx's code for "the client went away": nobody reads the answer


def json_error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


@web.middleware
async def errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return not_found()
    except web.HTTPException:
        raise
    except StorageUnavailable as exc:
        log.warning("storage unavailable on %s %s: %s", request.method, request.path, exc)
        response = json_error(503, "storage_unavailable", "the database is unavailable; try again")
        response.headers["Retry-After"] = "30"
        return response
    except DataRejected as exc:  # a value the database refuses is the request's fault
        return json_error(422, "invalid_input", str(exc))
    except NotFound as exc:
        return json_error(404, exc.code, exc.message)
    except InvalidInput as exc:
        return json_error(422, exc.code, exc.message)
    except IllegalTransition as exc:
        return json_error(409, exc.code, exc.message)
    except DomainError as exc:
        return json_error(422, exc.code, exc.message)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return json_error(500, "internal", "internal error")


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # answers carry license facts and tokens' results
}


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """On every answer, the canonical 404 included; `Server` names no versions."""
    response.headers.update(SECURITY_HEADERS)
    response.headers["Server"] = "licensemint"


@web.middleware
async def read_body_in_time(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Reads the body before the handler (aiohttp keeps it for read() and json()), under a
    deadline; a client that drops mid-body is a disconnect, logged as one line."""
    if request.can_read_body:
        try:
            async with asyncio.timeout(request.app.get(BODY_TIMEOUT_KEY, BODY_TIMEOUT)):
                await request.read()
        except TimeoutError:
            log.info("%s %s: body not received within the deadline; closing", request.method,
                     request.rel_url.raw_path)
            response = json_error(408, "request_timeout", "the body did not arrive in time")
            response.force_close()
            return response
        except (ConnectionError, RequestPayloadError) as exc:
            log.info("%s %s: client disconnected while sending the body (%s)", request.method,
                     request.rel_url.raw_path, type(exc).__name__)
            return web.Response(status=CLIENT_CLOSED)
    return await handler(request)
