"""`licensemint activations ...` and `licensemint licenses seats`: the operator's activation
commands from a shell, through the same use cases as the admin API."""

from __future__ import annotations

import argparse
from typing import Any

from core.usecases.change_seats import ChangeSeatsCommand
from core.usecases.list_activations import ListActivationsCommand
from core.usecases.release_activations import ReleaseActivationsCommand
from entrypoints.cli_admin import _emit, table
from entrypoints.container import Container
from entrypoints.http import serialize as js
from entrypoints.http.admin_activations import activations_json


async def activations_list(c: Container, args: argparse.Namespace) -> None:
    data = activations_json(await c.list_activations()(ListActivationsCommand(license_id=args.license_id)))
    lines = [f"license {data['license_id']}: {data['active']} of {data['seats']} seat(s) taken", ""]
    lines += [table(data["items"], ["id", "label", "platform", "activated_at", "lease_expires_at", "machine"])]
    history_columns = ["at", "action", "actor_type", "actor_id", "activation_id", "detail"]
    lines += ["", "history:", table(data["history"], history_columns)]
    _emit(args, data, "\n".join(lines))


async def activations_deactivate(c: Container, args: argparse.Namespace) -> None:
    released = await c.release_activations()(ReleaseActivationsCommand(
        license_id=args.license_id, activation_id=args.activation_id, admin=args.admin))
    _emit(args, {"released": released}, f"{args.activation_id} deactivated; its seat is free")


async def activations_reset(c: Container, args: argparse.Namespace) -> None:
    released = await c.release_activations()(ReleaseActivationsCommand(license_id=args.license_id, admin=args.admin))
    _emit(args, {"released": released}, f"{released} machine(s) deactivated on {args.license_id}")


async def licenses_seats(c: Container, args: argparse.Namespace) -> None:
    lic = await c.change_seats()(ChangeSeatsCommand(license_id=args.license_id, seats=args.seats, admin=args.admin))
    _emit(args, js.license_json(lic), f"{lic.id} now has {lic.seats} seat(s)")


def add_activation_commands(sub: Any, run: Any, common: Any) -> None:
    """`activations list|deactivate|reset`; `licenses seats` is added by the caller's group."""
    act = sub.add_parser("activations", help="a license's machines: list, deactivate one, reset all").add_subparsers(
        dest="action", required=True)
    p = common(act.add_parser("list", help="machines and activation history"))
    p.add_argument("license_id")
    p.set_defaults(func=run(activations_list))
    p = common(act.add_parser("deactivate", help="free one machine's seat"))
    p.add_argument("license_id")
    p.add_argument("activation_id")
    p.set_defaults(func=run(activations_deactivate))
    p = common(act.add_parser("reset", help="free every seat of the license"))
    p.add_argument("license_id")
    p.set_defaults(func=run(activations_reset))


def add_seats_command(licenses_group: Any, run: Any, common: Any) -> None:
    p = common(licenses_group.add_parser("seats", help="set how many machines the license may activate"))
    p.add_argument("license_id")
    p.add_argument("seats", type=int)
    p.set_defaults(func=run(licenses_seats))
