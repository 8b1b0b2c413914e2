"""The public API for apps and buyers: validate a key, list the keys, resend lost keys."""

from __future__ import annotations

import logging
import math
import re
from typing import Any

from aiohttp import web
from dependency_injector.wiring import Provide, inject

from adapters.signing.ed25519 import Ed25519Signer
from core.usecases.resend_license import ResendLicense, ResendLicenseCommand
from core.usecases.validate_license import ValidateLicense, ValidateLicenseCommand
from entrypoints import metrics
from entrypoints.container import Container
from entrypoints.http.clients import CLIENT
from entrypoints.http.middleware import json_error
from entrypoints.http.ratelimit import Limit, make_limit
from adapters.sql.rate_limits import SqlRateCounter

log = logging.getLogger(__name__)

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")

VALIDATE_LIMIT = web.AppKey("validate_limit", Limit)
RESEND_PER_ADDRESS = web.AppKey("resend_per_address", Limit)
RESEND_PER_CLIENT = web.AppKey("resend_per_client", Limit)


def setup_limits(app: web.Application, validate_per_minute: int, counter: SqlRateCounter | None) -> None:
    """`counter`: the database's counts (PostgreSQL), or None to count in this process."""
    app[VALIDATE_LIMIT] = make_limit(counter, "validate", validate_per_minute, 60)
    app[RESEND_PER_ADDRESS] = make_limit(counter, "resend_address", 5, 3600)
    app[RESEND_PER_CLIENT] = make_limit(counter, "resend_client", 20, 3600)


def too_many(retry_after: float, limit: str) -> web.Response:
    metrics.rate_limited(limit)
    response = json_error(429, "rate_limited", "too many requests; try again later")
    response.headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return response


async def json_field(
    request: web.Request, name: str, max_length: int | None, *, blank_ok: bool = False
) -> str | web.Response:
    try:
        body = await request.json()
    except ValueError:
        return json_error(400, "bad_request", "the body must be JSON")
    value = body.get(name) if isinstance(body, dict) else None
    if not isinstance(value, str) or not (blank_ok or value.strip()):
        return json_error(400, "bad_request", f"field {name!r} is required, a string")
    if max_length is not None and len(value) > max_length:
        return json_error(400, "bad_request", f"field {name!r} is longer than {max_length} characters")
    return value


@inject
async def validate(
    request: web.Request, use_case: ValidateLicense = Provide[Container.validate_license]
) -> web.Response:
    wait = await request.app[VALIDATE_LIMIT].check(request[CLIENT])
    if wait is not None:
        return too_many(wait, "validate")
    # An empty, blank or over-long key is MALFORMED, as offline: the key rules answer, not the
    # request rules; the body cap (app.py, 64 KiB) sits far above the key's 4096 characters.
    key = await json_field(request, "key", None, blank_ok=True)
    if isinstance(key, web.Response):
        return key
    fingerprint = (await request.json()).get("fingerprint")
    if fingerprint is not None and not isinstance(fingerprint, str):
        return json_error(400, "bad_request", "field 'fingerprint' must be a string")
    result = await use_case(ValidateLicenseCommand(key=key, fingerprint=fingerprint))
    metrics.validation(result.code.value)
    body: dict[str, Any] = {"code": result.code.value, "valid": result.valid, "reason": result.reason, "license": None}
    if result.activated is not None:
        body["activated"] = result.activated
    if result.facts is not None:
        f = result.facts
        body["license"] = {
            "id": f.license_id, "product": f.product, "tier": f.tier, "seats": f.seats,
            "status": f.status, "expires_at": f.expires_at.isoformat() if f.expires_at else None,
            "test": f.test,
        }
    return web.json_response(body)


@inject
async def keys(request: web.Request, signer: Ed25519Signer = Provide[Container.signer]) -> web.Response:
    return web.json_response({
        "keys": [
            {"kid": k.kid, "algorithm": "Ed25519", "public_key": k.public_text,
             "status": "active" if k.signing else "retired"}
            for k in signer.published
        ]
    })


@inject
async def resend(
    request: web.Request, use_case: ResendLicense = Provide[Container.resend_license]
) -> web.Response:
    wait = await request.app[RESEND_PER_CLIENT].check(request[CLIENT])
    if wait is not None:
        return too_many(wait, "resend_client")
    email = await json_field(request, "email", 320)
    if isinstance(email, web.Response):
        return email
    email = email.strip()
    if not EMAIL.match(email):
        return json_error(400, "bad_request", "field 'email' is not an email address")
    wait = await request.app[RESEND_PER_ADDRESS].check(email.lower())
    if wait is not None:
        return too_many(wait, "resend_address")
    queued = await use_case(ResendLicenseCommand(email=email))
    log.info("resend requested: %d license email(s) queued", queued)
    return web.json_response(
        {"status": "accepted", "message": "If we have licenses for this address, they are on their way."},
        status=202,
    )
