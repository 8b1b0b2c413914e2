"""Signing in and out of the console, and the guard in front of every other console page."""

from __future__ import annotations

from typing import Any

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from entrypoints import metrics
from entrypoints.http.clients import CLIENT
from entrypoints.http.ratelimit import Limit
from entrypoints.http.web.pages import render
from entrypoints.http.web.session import Sessions, csrf_ok, csrf_value, set_csrf

log = logging.getLogger(__name__)

SESSIONS = web.AppKey("console_sessions", Sessions)
SIGN_IN_LIMIT = web.AppKey("console_sign_in_limit", Limit)
SIGN_INS_PER_MINUTE = 10
OPERATOR = web.RequestKey("console_operator", str)
CSRF = web.RequestKey("console_csrf", str)
OPEN = ("/console/sign-in",)


def see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def page(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    """A console page: the operator's name and the CSRF value every form repeats."""
    return render(template, status=status, operator=request.get(OPERATOR), csrf=request[CSRF], **context)


@web.middleware
async def console_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not (request.path == "/console" or request.path.startswith("/console/")):
        return await handler(request)
    sessions = request.app[SESSIONS]
    response: web.StreamResponse
    request[CSRF] = csrf_value(request)
    session = sessions.read(request)
    if request.method == "POST":
        form = await request.post()
        if not csrf_ok(request, form):
            response = render("error.html", status=403, title="Form expired",
                              message="This form is out of date. Go back, reload the page and try again.")
            set_csrf(sessions, request, response, request[CSRF])
            return response
    if session is None and request.path not in OPEN:
        response = see_other("/console/sign-in")
        sessions.clear(request, response)
    else:
        if session is not None:
            request[OPERATOR] = session.name
        response = await handler(request)
        if response.prepared:  # a streamed page renewed its cookies before its first byte
            return response
        if session is not None and request.path != "/console/sign-out":
            sessions.keep(request, response, session)
    set_csrf(sessions, request, response, request[CSRF])
    return response


async def root(request: web.Request) -> web.Response:
    return see_other("/console/")


async def sign_in_form(request: web.Request) -> web.Response:
    if request.get(OPERATOR):
        return see_other("/console/")
    return page(request, "console/sign_in.html", error=None)


async def sign_in(request: web.Request) -> web.Response:
    """Ten tries a minute per client address, right or wrong: guessing a token is slow."""
    wait = await request.app[SIGN_IN_LIMIT].check(request[CLIENT])
    if wait is not None:
        metrics.rate_limited("console_sign_in")
        response = page(request, "console/sign_in.html", status=429,
                        error="Too many sign-in attempts from here. Wait a minute and try again.")
        response.headers["Retry-After"] = str(max(1, int(wait) + 1))
        return response
    form = await request.post()
    given = form.get("token", "")
    sessions = request.app[SESSIONS]
    name = sessions.sign_in(given) if isinstance(given, str) and given.strip() else None
    if name is None:
        log.info("console sign-in refused from %s", request[CLIENT])
        return page(request, "console/sign_in.html", status=401, error="That admin token is not valid.")
    log.info("console sign-in: %s", name)
    response = see_other("/console/")
    sessions.start(request, response, name)
    return response


async def sign_out(request: web.Request) -> web.Response:
    sessions = request.app[SESSIONS]
    sessions.end(request)
    response = see_other("/console/sign-in")
    sessions.clear(request, response)
    return response
