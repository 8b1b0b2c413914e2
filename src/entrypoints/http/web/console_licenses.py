"""The console's overview, search, license page, license actions and minting by hand.

Every action is two steps: the form posts without `confirm` and gets a page saying what will
happen; that page posts the same fields with `confirm=yes` and the use case runs. Keys and
addresses travel only in form bodies, never in a URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from core.domain.errors import InvalidInput
from core.usecases.browse import ShowCommand
from core.usecases.change_license_status import ChangeLicenseStatusCommand
from core.usecases.change_seats import ChangeSeatsCommand
from core.usecases.find_license import FindLicensesCommand
from core.usecases.mint_license import MintLicenseCommand
from core.usecases.overview import OverviewCommand
from core.usecases.release_activations import ReleaseActivationsCommand
from core.usecases.resend_license import ResendLicenseCommand
from entrypoints.http.health import database_ready
from entrypoints.http.keys import CONTAINER, WORKER
from entrypoints.http.web.console_auth import OPERATOR, page, see_other

ACTIONS = {
    "resend": "Send the license email again",
    "revoke": "Revoke the license",
    "suspend": "Suspend the license",
    "reinstate": "Reinstate the license",
    "seats": "Change the number of seats",
    "deactivate": "Deactivate a machine",
}
NEEDS_REASON = ("revoke", "suspend", "reinstate")


def _text(form: Mapping[str, Any], name: str, limit: int = 320) -> str:
    value = form.get(name, "")
    if not isinstance(value, str):
        raise InvalidInput(name, "must be text")
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(name, f"at most {limit} characters")
    return value


def _seats(form: Mapping[str, Any]) -> int:
    raw = _text(form, "seats", 10)
    if not raw.isdigit():
        raise InvalidInput("seats", "a whole number")
    return int(raw)


async def overview(request: web.Request) -> web.Response:
    container = request.app[CONTAINER]
    view = await container.overview()(OverviewCommand())
    worker = request.app.get(WORKER)
    mail_error = worker.configuration_error if worker is not None else None
    database_ok = await database_ready(container.engine())
    return page(request, "console/overview.html", view=view, mail_error=mail_error, worker=worker is not None,
                database_ok=database_ok, mailer=container.mailer().describe())


async def find_form(request: web.Request) -> web.Response:
    return page(request, "console/find.html", query="", results=None)


async def find(request: web.Request) -> web.Response:
    form = await request.post()
    query = _text(form, "q", 4096)
    results = await request.app[CONTAINER].find_licenses()(FindLicensesCommand(query=query))
    if len(results) == 1 and "@" not in query:
        return see_other(f"/console/licenses/{results[0].id}")
    return page(request, "console/find.html", query=query if "LIC1." not in query else "", results=results)


async def license_page(request: web.Request, *, done: str | None = None) -> web.Response:
    container = request.app[CONTAINER]
    view = await container.license_page()(ShowCommand(id=request.match_info["license_id"]))
    product = container.catalog().product(view.detail.license.product)
    return page(request, "console/license.html", view=view, lic=view.detail.license,
                product_name=product.name if product else view.detail.license.product,
                done=request.query.get("done") if done is None else done, actions=ACTIONS)


async def act(request: web.Request) -> web.Response:
    container = request.app[CONTAINER]
    license_id = request.match_info["license_id"]
    form = await request.post()
    action = _text(form, "action", 20)
    if action not in ACTIONS:
        raise InvalidInput("action", f"one of {', '.join(ACTIONS)}")
    fields = {"action": action}
    if action in NEEDS_REASON:
        fields["reason"] = _text(form, "reason", 500)
        if form.get("confirm") == "yes" and not fields["reason"]:
            raise InvalidInput("reason", "say why (it goes into the history)")
    if action == "seats":
        fields["seats"] = str(_seats(form))
    if action == "deactivate":
        fields["activation_id"] = _text(form, "activation_id", 64)
    view = await container.license_page()(ShowCommand(id=license_id))
    if form.get("confirm") != "yes":
        return page(request, "console/confirm.html", lic=view.detail.license, action=action, title=ACTIONS[action],
                    fields=fields, view=view, target=f"/console/licenses/{license_id}/act")
    admin = request[OPERATOR]
    if action == "resend":
        await container.resend_license()(ResendLicenseCommand(license_id=license_id))
    elif action in NEEDS_REASON:
        await container.change_license_status()(ChangeLicenseStatusCommand(
            license_id=license_id, action=action, reason=fields["reason"], admin=admin))
    elif action == "seats":
        await container.change_seats()(ChangeSeatsCommand(license_id=license_id, seats=int(fields["seats"]),
                                                          admin=admin))
    else:
        await container.release_activations()(ReleaseActivationsCommand(
            license_id=license_id, activation_id=fields["activation_id"], admin=admin))
    return see_other(f"/console/licenses/{license_id}?done={action}")


async def mint_form(request: web.Request) -> web.Response:
    return page(request, "console/mint.html", products=_products(request), values={})


def _products(request: web.Request) -> list[Any]:
    catalog = request.app[CONTAINER].catalog()
    return [catalog.product(k) for k in catalog.product_keys()]


async def mint(request: web.Request) -> web.Response:
    form = await request.post()
    values = {
        "product": _text(form, "product", 100), "tier": _text(form, "tier", 100), "email": _text(form, "email"),
        "licensee": _text(form, "licensee", 200), "seats": str(_seats(form)),
        "order_id": _text(form, "order_id", 100), "test": "yes" if form.get("test") == "yes" else "",
    }
    if not values["email"] or "@" not in values["email"]:
        raise InvalidInput("email", "an email address")
    if form.get("confirm") != "yes":
        return page(request, "console/mint_confirm.html", values=values)
    result = await request.app[CONTAINER].mint_license()(MintLicenseCommand(
        product=values["product"], tier=values["tier"] or None, email=values["email"],
        licensee=values["licensee"] or None, seats=int(values["seats"]), test=bool(values["test"]),
        order_id=values["order_id"] or None, admin=request[OPERATOR],
    ))
    return see_other(f"/console/licenses/{result.license.id}?done={'minted' if result.created else 'exists'}")
