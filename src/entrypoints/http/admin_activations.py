"""The operator's activation API under /admin/licenses/{id}/: machines, resets, seats."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from dependency_injector.wiring import Provide, inject

from core.domain.activation import Activation, ActivationRecord
from core.usecases.change_seats import ChangeSeats, ChangeSeatsCommand
from core.usecases.list_activations import LicenseActivations, ListActivations, ListActivationsCommand
from core.usecases.release_activations import ReleaseActivations, ReleaseActivationsCommand
from entrypoints.container import Container
from entrypoints.http import serialize as js
from entrypoints.http.admin import ADMIN, _body, _field


def machine_json(a: Activation) -> dict[str, Any]:
    return {
        "id": a.id, "machine": a.machine, "label": a.label, "platform": a.platform,
        "activated_at": js.ts(a.activated_at), "refreshed_at": js.ts(a.refreshed_at),
        "lease_expires_at": js.ts(a.lease_expires_at),
    }


def record_json(r: ActivationRecord) -> dict[str, Any]:
    return {
        "at": js.ts(r.at), "action": r.action.value, "actor_type": r.actor_type.value, "actor_id": r.actor_id,
        "activation_id": r.activation_id, "machine": r.machine, "detail": r.detail,
    }


def activations_json(found: LicenseActivations) -> dict[str, Any]:
    return {
        "license_id": found.license.id, "seats": found.license.seats, "active": len(found.activations),
        "items": [machine_json(a) for a in found.activations],
        "history": [record_json(r) for r in found.history],
    }


@inject
async def list_activations(request: web.Request, use_case: ListActivations = Provide[Container.list_activations]) -> web.Response:
    found = await use_case(ListActivationsCommand(license_id=request.match_info["license_id"]))
    return web.json_response(activations_json(found))


@inject
async def deactivate_one(
    request: web.Request, use_case: ReleaseActivations = Provide[Container.release_activations]
) -> web.Response:
    released = await use_case(ReleaseActivationsCommand(
        license_id=request.match_info["license_id"], activation_id=request.match_info["activation_id"],
        admin=request[ADMIN],
    ))
    return web.json_response({"released": released})


@inject
async def reset(request: web.Request, use_case: ReleaseActivations = Provide[Container.release_activations]) -> web.Response:
    released = await use_case(ReleaseActivationsCommand(license_id=request.match_info["license_id"],
                                                        admin=request[ADMIN]))
    return web.json_response({"released": released})


@inject
async def change_seats(request: web.Request, use_case: ChangeSeats = Provide[Container.change_seats]) -> web.Response:
    body = await _body(request)
    lic = await use_case(ChangeSeatsCommand(
        license_id=request.match_info["license_id"], seats=_field(body, "seats", int, required=True),
        admin=request[ADMIN],
    ))
    return web.json_response(js.license_json(lic))


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/admin/licenses/{license_id}/activations", list_activations)
    r.add_post("/admin/licenses/{license_id}/activations/reset", reset)
    r.add_post("/admin/licenses/{license_id}/activations/{activation_id}/deactivate", deactivate_one)
    r.add_post("/admin/licenses/{license_id}/seats", change_seats)
