"""Mounts the console and the portal on the app."""

from __future__ import annotations

from aiohttp import web

from entrypoints.http.admin import admin_names
from entrypoints.http.ratelimit import RATE_COUNTER, make_limit
from entrypoints.http.web import console_auth as auth
from entrypoints.http.web import console_licenses as lic
from entrypoints.http.web import console_ops as ops
from entrypoints.http.web import portal
from entrypoints.http.web.pages import setup_static, web_pages
from entrypoints.http.web.session import Sessions

MIDDLEWARES = (web_pages, auth.console_guard)


def setup(app: web.Application, admin_tokens: tuple[str, ...], trusted_proxies: tuple[str, ...] = ()) -> None:
    app[auth.SESSIONS] = Sessions(admin_names(admin_tokens), trusted_proxies=trusted_proxies)
    app[auth.SIGN_IN_LIMIT] = make_limit(app.get(RATE_COUNTER), "console_sign_in", auth.SIGN_INS_PER_MINUTE, 60)
    r = app.router
    r.add_get("/console", auth.root)
    r.add_get("/console/sign-in", auth.sign_in_form)
    r.add_post("/console/sign-in", auth.sign_in)
    r.add_post("/console/sign-out", auth.sign_out)
    r.add_get("/console/", lic.overview)
    r.add_get("/console/find", lic.find_form)
    r.add_post("/console/find", lic.find)
    r.add_get("/console/licenses/{license_id}", lic.license_page)
    r.add_post("/console/licenses/{license_id}/act", lic.act)
    r.add_get("/console/mint", lic.mint_form)
    r.add_post("/console/mint", lic.mint)
    r.add_get("/console/events", ops.events)
    r.add_post("/console/events/replay-failed", ops.replay_failed)
    r.add_get("/console/events/{event_id}", ops.event)
    r.add_post("/console/events/{event_id}/replay", ops.replay)
    r.add_get("/console/deliveries", ops.deliveries)
    r.add_post("/console/deliveries/{delivery_id}/retry", ops.retry)
    r.add_get("/portal", portal.home)
    r.add_get("/portal/", portal.home)
    r.add_post("/portal/", portal.lost_key)
    r.add_get("/portal/licenses", portal.licenses)
    r.add_post("/portal/licenses/file", portal.download)
    r.add_post("/portal/licenses/deactivate", portal.deactivate)
    setup_static(app)
