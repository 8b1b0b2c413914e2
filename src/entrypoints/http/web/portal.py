"""The buyer's portal: "lost your key?" and "your licenses" behind the signed link.

The portal keeps no cookie: the signed token is the credential, carried in the link's query
string (never written by the access log) and repeated in each form's body, so a form from
another site cannot act for the buyer without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import logging
import re

from aiohttp import web

from entrypoints import metrics
from core.usecases.portal import BuyerLicensesCommand, BuyerReleaseCommand
from core.usecases.resend_license import ResendLicenseCommand
from entrypoints.http.keys import CONTAINER
from entrypoints.http.clients import CLIENT
from entrypoints.http.public import EMAIL, RESEND_PER_ADDRESS, RESEND_PER_CLIENT
from entrypoints.http.web.pages import render

log = logging.getLogger(__name__)

SAME_ANSWER = "If we have licenses for this address, an email with your keys and a personal link is on its way."
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


async def home(request: web.Request) -> web.Response:
    return render("portal/index.html", message=None, error=None, email="")


async def lost_key(request: web.Request) -> web.Response:
    wait = await request.app[RESEND_PER_CLIENT].check(request[CLIENT])
    if wait is not None:
        return _too_many("resend_client")
    form = await request.post()
    email = form.get("email", "")
    email = email.strip() if isinstance(email, str) else ""
    if len(email) > 320 or not EMAIL.match(email):
        return render("portal/index.html", status=400, message=None, error="Please enter an email address.",
                      email=email[:320])
    if await request.app[RESEND_PER_ADDRESS].check(email.lower()) is not None:
        return _too_many("resend_address")
    queued = await request.app[CONTAINER].resend_license()(ResendLicenseCommand(email=email))
    log.info("portal: lost-key request, %d license email(s) queued", queued)
    return render("portal/index.html", status=202, message=SAME_ANSWER, error=None, email="")


def _too_many(limit: str) -> web.Response:
    metrics.rate_limited(limit)
    response = render("portal/index.html", status=429, message=None, email="",
                      error="Too many requests from here. Please try again in an hour.")
    response.headers["Retry-After"] = "3600"
    return response


def _buyer(request: web.Request, token: str) -> str | None:
    return request.app[CONTAINER].portal_links().email_for(token)


def _expired() -> web.Response:
    return render("portal/index.html", status=403, message=None, email="",
                  error="This link has expired or is not valid. Ask for a new one below.")


def _rows(request: web.Request, found: Iterable[Any]) -> list[dict[str, Any]]:
    catalog = request.app[CONTAINER].catalog()
    rows = []
    for item in found:
        product = catalog.product(item.license.product)
        tier = product.tiers.get(item.license.tier) if product else None
        rows.append({"license": item.license, "activations": item.activations,
                     "product": product.name if product else item.license.product,
                     "tier": tier.name if tier else item.license.tier})
    return rows


async def _licenses_page(request: web.Request, email: str, token: str, done: str | None) -> web.Response:
    found = await request.app[CONTAINER].buyer_licenses()(BuyerLicensesCommand(email=email))
    return render("portal/licenses.html", email=email, token=token, rows=_rows(request, found), done=done)


async def licenses(request: web.Request) -> web.Response:
    token = request.query.get("t", "")
    email = _buyer(request, token)
    if email is None:
        return _expired()
    return await _licenses_page(request, email, token, None)


async def download(request: web.Request) -> web.Response:
    form = await request.post()
    email = _buyer(request, str(form.get("t", "")))
    if email is None:
        return _expired()
    found = await request.app[CONTAINER].buyer_licenses()(BuyerLicensesCommand(email=email))
    wanted = str(form.get("license_id", ""))
    for item in found:
        if item.license.id == wanted:
            name = SAFE_NAME.sub("-", item.license.product) or "license"
            return web.Response(body=item.license.key.encode("ascii"), content_type="application/octet-stream",
                                headers={"Content-Disposition": f'attachment; filename="{name}.lic"'})
    return render("error.html", status=404, title="Not found", message="No such license on your address.")


async def deactivate(request: web.Request) -> web.Response:
    """Answers with the page itself (no redirect), so the token stays out of a Location header."""
    form = await request.post()
    token = str(form.get("t", ""))
    email = _buyer(request, token)
    if email is None:
        return _expired()
    await request.app[CONTAINER].buyer_release_machine()(BuyerReleaseCommand(
        email=email, license_id=str(form.get("license_id", ""))[:64],
        activation_id=str(form.get("activation_id", ""))[:64]))
    return await _licenses_page(request, email, token, "deactivated")
