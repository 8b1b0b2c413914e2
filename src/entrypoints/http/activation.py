"""The public activation API: a machine takes a seat and gets a lease, or gives it back."""

from __future__ import annotations

from typing import Any

import hashlib

from aiohttp import web
from dependency_injector.wiring import Provide, inject

from core.domain.activation import Activation, ActivationCode
from core.usecases.activate_machine import ActivateMachine, ActivateMachineCommand, ActivationResult
from core.usecases.deactivate_machine import DeactivateMachine, DeactivateMachineCommand
from adapters.sql.rate_limits import SqlRateCounter
from entrypoints import metrics
from entrypoints.container import Container
from entrypoints.http.clients import CLIENT
from entrypoints.http.middleware import json_error
from entrypoints.http.public import too_many
from entrypoints.http.ratelimit import Limit, make_limit
from entrypoints.http.serialize import ts

PER_CLIENT = web.AppKey("activation_per_client", Limit)
PER_LICENSE = web.AppKey("activation_per_license", Limit)

STATUS = {
    ActivationCode.TOO_MANY_MACHINES.value: 409,
    ActivationCode.NOT_ACTIVATED.value: 404,
    ActivationCode.DEACTIVATED.value: 200,
}


def setup_limits(app: web.Application, per_minute: int, counter: SqlRateCounter | None = None) -> None:
    """Activations and deactivations share the limits: rotating seats is counted too.
    `counter`: the database's counts (PostgreSQL, shared by processes), or None."""
    app[PER_CLIENT] = make_limit(counter, "activate_client", per_minute, 60)
    app[PER_LICENSE] = make_limit(counter, "activate_license", per_minute, 60)


def activation_json(a: Activation) -> dict[str, Any]:
    return {"id": a.id, "label": a.label, "platform": a.platform, "activated_at": ts(a.activated_at),
            "lease_expires_at": ts(a.lease_expires_at)}


async def _read(request: web.Request) -> dict[str, Any] | web.Response:
    wait = await request.app[PER_CLIENT].check(request[CLIENT])
    if wait is not None:
        return too_many(wait, "activate_client")
    try:
        body = await request.json()
    except ValueError:
        return json_error(400, "bad_request", "the body must be JSON")
    if not isinstance(body, dict):
        return json_error(400, "bad_request", "the body must be a JSON object")
    key = body.get("key")
    if not isinstance(key, str):  # an empty or blank key is judged by the key rule: 422 MALFORMED
        return json_error(400, "bad_request", "field 'key' is required, a string")
    for name in ("label", "platform"):
        if body.get(name) is not None and not isinstance(body[name], str):
            return json_error(400, "bad_request", f"field {name!r} must be a string")
    fingerprint = body.get("fingerprint")
    body["fingerprint"] = fingerprint if isinstance(fingerprint, str) else ""
    wait = await request.app[PER_LICENSE].check(hashlib.sha256(key.strip().encode()).hexdigest())
    if wait is not None:
        return too_many(wait, "activate_license")
    return body


def _answer(result: ActivationResult) -> web.Response:
    metrics.activation(metrics.activation_outcome(result.code, created=result.created))
    body: dict[str, Any] = {"code": result.code, "reason": result.reason}
    if result.code == ActivationCode.ACTIVATED.value:
        assert result.activation is not None
        body.update(activation=activation_json(result.activation), lease=result.lease)
        return web.json_response(body, status=201 if result.created else 200)
    if result.code == ActivationCode.TOO_MANY_MACHINES.value:
        body.update(seats=result.seats, active=result.active)
    return web.json_response(body, status=STATUS.get(result.code, 422))


@inject
async def activate(
    request: web.Request, use_case: ActivateMachine = Provide[Container.activate_machine]
) -> web.Response:
    body = await _read(request)
    if isinstance(body, web.Response):
        return body
    return _answer(await use_case(ActivateMachineCommand(
        key=body["key"], fingerprint=body["fingerprint"], label=body.get("label"), platform=body.get("platform"),
    )))


@inject
async def deactivate(
    request: web.Request, use_case: DeactivateMachine = Provide[Container.deactivate_machine]
) -> web.Response:
    body = await _read(request)
    if isinstance(body, web.Response):
        return body
    return _answer(await use_case(DeactivateMachineCommand(key=body["key"], fingerprint=body["fingerprint"])))
