"""Errors to HTTP answers, in one place."""

from __future__ import annotations

import logging

from aiohttp import web

from core.domain.errors import DomainError, InvalidInput, NotFound
from core.domain.lifecycle import IllegalTransition
from ports.errors import DataRejected, StorageUnavailable

log = logging.getLogger(__name__)

NOT_FOUND_BODY = "404: Not Found"


def not_found() -> web.Response:
    """The one 404 every unknown path and every unauthorised webhook gets, byte for byte."""
    return web.Response(status=404, text=NOT_FOUND_BODY)


def json_error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


@web.middleware
async def errors(request: web.Request, handler):
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
