"""The admin API under /admin/: bearer tokens, JSON in and out, cursor pages."""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.typedefs import Middleware
from dependency_injector.wiring import Provide, inject

from core.domain.errors import InvalidInput
from core.domain.model import DeliveryStatus, EventOrigin, EventStatus, LicenseStatus
from core.domain.notices import NoticeKind
from core.domain.queries import Cursor, DeliveryFilter, EventFilter, LicenseFilter, Page, PageRequest
from core.usecases.browse import (
    ListCommand, ListDeliveries, ListEvents, ListLicenses, ShowCommand, ShowEvent, ShowLicense,
)
from core.usecases.change_license_status import ChangeLicenseStatus, ChangeLicenseStatusCommand
from core.usecases.mint_license import MintLicense, MintLicenseCommand
from core.usecases.replay_events import (
    ReplayEvent, ReplayEventCommand, ReplayFailedCommand, ReplayFailedEvents,
)
from core.usecases.reconcile import Reconcile, ReconcileCommand
from core.usecases.resend_license import ResendLicense, ResendLicenseCommand
from core.usecases.retry_delivery import RetryDelivery, RetryDeliveryCommand
from entrypoints import metrics
from entrypoints.container import Container
from entrypoints.http import serialize as js
from entrypoints.http.middleware import json_error

ADMIN = web.RequestKey("admin", str)
# /metrics on the API port needs a token too; METRICS_PORT serves it without one.
PROTECTED = frozenset({"/admin", "/metrics"})


def admin_names(tokens: tuple[str, ...]) -> list[tuple[bytes, str]]:
    """Each ADMIN_TOKENS entry is `name:token` or a bare token (named by its fingerprint)."""
    named = []
    for entry in tokens:
        name, sep, token = entry.partition(":")
        if not sep:
            token, name = entry, "admin-" + hashlib.sha256(entry.encode()).hexdigest()[:8]
        if token.strip():  # settings refuse an empty token; never let one through anyway
            named.append((token.strip().encode(), name))
    return named


def unauthorized() -> web.Response:
    return web.json_response(
        {"error": "unauthorized", "message": "unauthorized"}, status=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


def admin_of(request: web.Request, named: list[tuple[bytes, str]]) -> str | None:
    """The admin named by a valid `Authorization: Bearer <token>`; None for anything else,
    an empty bearer included."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    presented = given.strip().encode()
    if scheme.lower() != "bearer" or not presented:
        return None
    who = None
    for token, name in named:  # every token is compared: timing says nothing
        if hmac.compare_digest(presented, token):
            who = name
    return who


def auth_middleware(tokens: tuple[str, ...]) -> Middleware:
    named = admin_names(tokens)

    @web.middleware
    async def admin_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not (request.path in PROTECTED or request.path.startswith("/admin/")):
            return await handler(request)
        who = admin_of(request, named)
        if who is None:
            return unauthorized()
        request[ADMIN] = who
        return await handler(request)

    return admin_auth


E = TypeVar("E", bound=enum.Enum)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _choice(request: web.Request, name: str, allowed: type[E]) -> E | None:
    value = request.query.get(name)
    if value is None or value == "":
        return None
    if value not in {a.value for a in allowed}:
        raise InvalidInput(name, f"{value!r} is not one of {', '.join(a.value for a in allowed)}")
    return allowed(value)


def _text(request: web.Request, name: str, limit: int = 320) -> str | None:
    value = request.query.get(name)
    if value is not None and len(value) > limit:
        raise InvalidInput(name, f"at most {limit} characters")
    return value or None


def _bool(request: web.Request, name: str) -> bool | None:
    value = request.query.get(name)
    if value in (None, ""):
        return None
    if value not in ("true", "false"):
        raise InvalidInput(name, "must be true or false")
    return value == "true"


def _time(request: web.Request, name: str) -> datetime | None:
    value = request.query.get(name)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(name, f"{value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise InvalidInput(name, "needs a time zone (e.g. 2026-01-31T00:00:00Z)")
    return parsed


def _page(request: web.Request) -> PageRequest:
    raw = request.query.get("limit", "50")
    try:
        limit = int(raw)
    except ValueError:
        raise InvalidInput("limit", f"{raw!r} is not a whole number") from None
    cursor = request.query.get("cursor")
    return PageRequest(after=Cursor.decode(cursor) if cursor else None, limit=limit)


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:  # (read already by the middleware: can_read_body is False now)
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise InvalidInput("body", "not JSON") from None
    if not isinstance(body, dict):
        raise InvalidInput("body", "must be a JSON object")
    return body


def _field(body: dict[str, Any], name: str, kind: type, *, required: bool = False, default: Any = None) -> Any:
    value = body.get(name, default)
    if value is None:
        if required:
            raise InvalidInput(name, "required")
        return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InvalidInput(name, f"must be {'a string' if kind is str else kind.__name__}")
    return value


def _listing(page: Page[Any], to_json: Callable[[Any], dict[str, Any]]) -> web.Response:
    return web.json_response({
        "items": [to_json(x) for x in page.items],
        "next_cursor": page.next.encode() if page.next else None,
    })


@inject
async def list_licenses(request: web.Request, use_case: ListLicenses = Provide[Container.list_licenses]) -> web.Response:
    where = LicenseFilter(
        email=_text(request, "email"), status=_choice(request, "status", LicenseStatus),
        product=_text(request, "product", 100), source=_text(request, "source", 32),
        test=_bool(request, "test"), created_from=_time(request, "created_from"),
        created_to=_time(request, "created_to"),
    )
    return _listing(await use_case(ListCommand(where=where, page=_page(request))), js.license_json)


@inject
async def show_license(request: web.Request, use_case: ShowLicense = Provide[Container.show_license]) -> web.Response:
    detail = await use_case(ShowCommand(id=request.match_info["license_id"]))
    return web.json_response(js.license_detail_json(detail))


@inject
async def mint_license(request: web.Request, use_case: MintLicense = Provide[Container.mint_license]) -> web.Response:
    body = await _body(request)
    result = await use_case(MintLicenseCommand(
        product=_field(body, "product", str, required=True), tier=_field(body, "tier", str),
        email=_field(body, "email", str, required=True), licensee=_field(body, "licensee", str),
        seats=_field(body, "seats", int, default=1), test=_field(body, "test", bool, default=False),
        order_id=_field(body, "order_id", str), admin=request[ADMIN],
    ))
    return web.json_response(js.license_json(result.license), status=201 if result.created else 200)


def _status_change(action: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    @inject
    async def handler(request: web.Request, use_case: ChangeLicenseStatus = Provide[Container.change_license_status]) -> web.Response:
        body = await _body(request)
        lic = await use_case(ChangeLicenseStatusCommand(
            license_id=request.match_info["license_id"], action=action,
            reason=_field(body, "reason", str, required=True), admin=request[ADMIN],
        ))
        return web.json_response(js.license_json(lic))

    handler.__name__ = f"{action}_license"
    return handler


revoke_license = _status_change("revoke")
suspend_license = _status_change("suspend")
reinstate_license = _status_change("reinstate")


@inject
async def resend_license(request: web.Request, use_case: ResendLicense = Provide[Container.resend_license]) -> web.Response:
    queued = await use_case(ResendLicenseCommand(license_id=request.match_info["license_id"]))
    return web.json_response({"queued": queued}, status=202)


@inject
async def list_events(request: web.Request, use_case: ListEvents = Provide[Container.list_events]) -> web.Response:
    where = EventFilter(source=_text(request, "source", 32), kind=_choice(request, "kind", NoticeKind),
                        status=_choice(request, "status", EventStatus), origin=_choice(request, "origin", EventOrigin))
    return _listing(await use_case(ListCommand(where=where, page=_page(request))), js.event_json)


@inject
async def show_event(request: web.Request, use_case: ShowEvent = Provide[Container.show_event]) -> web.Response:
    event = await use_case(ShowCommand(id=request.match_info["event_id"]))
    return web.json_response(js.event_json(event, with_body=True))


@inject
async def replay_event(request: web.Request, use_case: ReplayEvent = Provide[Container.replay_event]) -> web.Response:
    event = await use_case(ReplayEventCommand(event_id=request.match_info["event_id"]))
    return web.json_response(js.event_json(event))


@inject
async def replay_failed(request: web.Request, use_case: ReplayFailedEvents = Provide[Container.replay_failed]) -> web.Response:
    body = await _body(request)
    summary = await use_case(ReplayFailedCommand(source=_field(body, "source", str)))
    return web.json_response({
        "replayed": summary.replayed, "processed": summary.processed, "still_failed": summary.still_failed,
        "failures": [{"event_id": i, "reason": r} for i, r in summary.failures],
    })


@inject
async def list_deliveries(request: web.Request, use_case: ListDeliveries = Provide[Container.list_deliveries]) -> web.Response:
    where = DeliveryFilter(status=_choice(request, "status", DeliveryStatus),
                           license_id=_text(request, "license_id", 40))
    return _listing(await use_case(ListCommand(where=where, page=_page(request))), js.delivery_json)


@inject
async def retry_delivery(request: web.Request, use_case: RetryDelivery = Provide[Container.retry_delivery]) -> web.Response:
    delivery = await use_case(RetryDeliveryCommand(delivery_id=request.match_info["delivery_id"],
                                                   admin=request[ADMIN]))
    return web.json_response(js.delivery_json(delivery))


@inject
async def reconcile(
    request: web.Request,
    sales: object = Provide[Container.sales_api],
    use_case: Reconcile = Provide[Container.reconcile],
) -> web.Response:
    body = await _body(request)
    since_text = _field(body, "since", str)
    try:
        since = date.fromisoformat(since_text) if since_text is not None else None
    except ValueError:
        raise InvalidInput("since", f"{since_text!r} is not a date (YYYY-MM-DD)") from None
    if sales is None:
        return json_error(409, "not_configured", "reconciliation needs GUMROAD_ACCESS_TOKEN")
    dry_run = _field(body, "dry_run", bool, default=False)
    summary = await use_case(ReconcileCommand(since=since, dry_run=dry_run))
    metrics.reconciliation_summary(summary, dry_run=dry_run)
    return web.json_response(js.reconcile_json(summary))


def setup_admin_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/admin/licenses", list_licenses)
    r.add_post("/admin/licenses", mint_license)
    r.add_get("/admin/licenses/{license_id}", show_license)
    r.add_post("/admin/licenses/{license_id}/revoke", revoke_license)
    r.add_post("/admin/licenses/{license_id}/suspend", suspend_license)
    r.add_post("/admin/licenses/{license_id}/reinstate", reinstate_license)
    r.add_post("/admin/licenses/{license_id}/resend", resend_license)
    r.add_get("/admin/events", list_events)
    r.add_post("/admin/events/replay-failed", replay_failed)
    r.add_get("/admin/events/{event_id}", show_event)
    r.add_post("/admin/events/{event_id}/replay", replay_event)
    r.add_get("/admin/deliveries", list_deliveries)
    r.add_post("/admin/deliveries/{delivery_id}/retry", retry_delivery)
    r.add_post("/admin/reconcile", reconcile)
