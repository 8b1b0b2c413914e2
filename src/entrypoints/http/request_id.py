"""A request id for every HTTP request: in each log line written while it is handled (the
`request_id` field) and in the answer's X-Request-Id header. A caller's own X-Request-Id is
kept when it is a short token, so a proxy's id follows the request through."""

from __future__ import annotations

import re
import secrets

from aiohttp import web
from aiohttp.typedefs import Handler

from entrypoints.logs import request_id

HEADER = "X-Request-Id"
ACCEPTED = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def new_request_id() -> str:
    return "req_" + secrets.token_hex(8)


@web.middleware
async def request_ids(request: web.Request, handler: Handler) -> web.StreamResponse:
    given = request.headers.get(HEADER, "")
    rid = given if ACCEPTED.match(given) else new_request_id()
    # Not reset on the way out: aiohttp writes the access log line after the middlewares
    # return, in the same context; the next request on the connection sets its own.
    request_id.set(rid)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers[HEADER] = rid
        raise
    response.headers[HEADER] = rid
    return response
