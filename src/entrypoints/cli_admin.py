"""`licensemint licenses|events|deliveries ...`: the admin API's operations from a shell,
through the same use cases, talking to the database directly."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from entrypoints import metrics
from core.domain.errors import DomainError
from core.domain.queries import Cursor, DeliveryFilter, EventFilter, LicenseFilter, Page, PageRequest
from core.usecases.browse import ListCommand, ShowCommand
from core.domain.model import DeliveryStatus, Event, EventOrigin, EventStatus, LicenseStatus
from core.domain.notices import NoticeKind
from core.usecases.change_license_status import ChangeLicenseStatusCommand, StatusAction
from core.usecases.mint_license import MintLicenseCommand
from core.usecases.reconcile import ReconcileCommand
from core.usecases.replay_events import ReplayEventCommand, ReplayFailedCommand
from core.usecases.resend_license import ResendLicenseCommand
from core.usecases.retry_delivery import RetryDeliveryCommand
from entrypoints.container import Container, close
from ports.errors import DataRejected, StorageUnavailable
from entrypoints.http import serialize as js

Handler = Callable[[Container, argparse.Namespace], Awaitable[int | None]]


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    if not rows:
        return "(none)"
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _page(args: argparse.Namespace) -> PageRequest:
    return PageRequest(after=Cursor.decode(args.cursor) if args.cursor else None, limit=args.limit)


def _time(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError("times need a zone, e.g. 2026-01-31T00:00:00Z")
    return parsed


def _bool(value: str) -> bool:
    if value not in ("true", "false"):
        raise argparse.ArgumentTypeError("true or false")
    return value == "true"


def _emit(args: argparse.Namespace, data: object, text: str) -> None:
    print(json.dumps(data, indent=2) if args.json else text)


def _listing(args: argparse.Namespace, page: Page[Any], to_json: Callable[[Any], dict[str, Any]],
             columns: list[str]) -> None:
    rows = [to_json(x) for x in page.items]
    cursor = page.next.encode() if page.next else None
    text = table(rows, columns) + (f"\nmore: --cursor {cursor}" if cursor else "")
    _emit(args, {"items": rows, "next_cursor": cursor}, text)


async def licenses_list(c: Container, args: argparse.Namespace) -> None:
    where = LicenseFilter(email=args.email, status=args.status, product=args.product, source=args.source,
                          test=args.test, created_from=args.created_from, created_to=args.created_to)
    page = await c.list_licenses()(ListCommand(where=where, page=_page(args)))
    _listing(args, page, js.license_json,
             ["id", "status", "product", "tier", "seats", "quantity", "price_cents", "currency", "email",
              "source", "test", "created_at"])


async def licenses_show(c: Container, args: argparse.Namespace) -> None:
    detail = await c.show_license()(ShowCommand(id=args.license_id))
    data = js.license_detail_json(detail)
    lines = [f"{k}: {_cell(v) if k != 'key' else v}" for k, v in data.items() if k not in ("history", "deliveries")]
    lines += ["", "history:", table(data["history"], ["at", "from", "to", "reason", "actor_type", "actor_id"])]
    lines += ["", "deliveries:", table(data["deliveries"], ["id", "status", "attempts", "recipient", "last_error", "sent_at"])]
    _emit(args, data, "\n".join(lines))


async def licenses_mint(c: Container, args: argparse.Namespace) -> None:
    result = await c.mint_license()(MintLicenseCommand(
        product=args.product, tier=args.tier, email=args.email, licensee=args.licensee, seats=args.seats,
        test=args.test_license, order_id=args.order_id, admin=args.admin,
    ))
    data = js.license_json(result.license)
    verb = "minted" if result.created else "exists already (nothing sent)"
    _emit(args, {**data, "created": result.created}, f"{verb}: {data['id']} for {data['email']}\nkey: {data['key']}")


def _status(action: str) -> Handler:
    async def run(c: Container, args: argparse.Namespace) -> None:
        lic = await c.change_license_status()(ChangeLicenseStatusCommand(
            license_id=args.license_id, action=action, reason=args.reason, admin=args.admin))
        _emit(args, js.license_json(lic), f"{lic.id} is now {lic.status.value} ({args.reason})")

    return run


async def licenses_resend(c: Container, args: argparse.Namespace) -> None:
    queued = await c.resend_license()(ResendLicenseCommand(license_id=args.license_id))
    text = "queued: the email goes out with the next worker pass" if queued else "its email is already waiting"
    _emit(args, {"queued": queued}, text)


async def events_list(c: Container, args: argparse.Namespace) -> None:
    page = await c.list_events()(ListCommand(
        where=EventFilter(source=args.source, kind=args.kind, status=args.status, origin=args.origin),
        page=_page(args)))
    _listing(args, page, js.event_json,
             ["id", "status", "kind", "external_id", "attempts", "received_at", "origin", "outcome_code", "outcome"])


async def events_show(c: Container, args: argparse.Namespace) -> None:
    event = await c.show_event()(ShowCommand(id=args.event_id))
    data = js.event_json(event, with_body=True)
    text = "\n".join(f"{k}: {v}" for k, v in data.items() if k != "body_base64")
    _emit(args, data, text)


async def events_replay(c: Container, args: argparse.Namespace) -> None:
    if args.failed:
        bar = _ProgressBar(enabled=not args.json)
        summary = await c.replay_failed()(ReplayFailedCommand(source=args.source, progress=bar.update))
        bar.finish()
        failures = [{"event_id": i, "reason": r} for i, r in summary.failures]
        data = {"replayed": summary.replayed, "processed": summary.processed, "still_failed": summary.still_failed,
                "failures": [{"event_id": i, "reason": r} for i, r in summary.failures]}
        text = f"replayed {summary.replayed}: {summary.processed} processed, {summary.still_failed} still failed"
        if summary.failures:
            text += "\n" + table(failures, ["event_id", "reason"])
        _emit(args, data, text)
        return
    if not args.event_id:
        raise DomainError("give an event id, or --failed")
    event = await c.replay_event()(ReplayEventCommand(event_id=args.event_id))
    _emit(args, js.event_json(event), f"{event.id}: {event.status.value}: {event.outcome}")


async def deliveries_list(c: Container, args: argparse.Namespace) -> None:
    page = await c.list_deliveries()(ListCommand(
        where=DeliveryFilter(status=args.status, license_id=args.license_id), page=_page(args)))
    _listing(args, page, js.delivery_json,
             ["id", "status", "license_id", "recipient", "attempts", "next_attempt_at", "last_error"])


async def deliveries_retry(c: Container, args: argparse.Namespace) -> None:
    delivery = await c.retry_delivery()(RetryDeliveryCommand(delivery_id=args.delivery_id, admin=args.admin))
    _emit(args, js.delivery_json(delivery), f"{delivery.id} is pending again, due now")


async def reconcile(c: Container, args: argparse.Namespace) -> int:
    if c.sales_api() is None:
        print("licensemint: reconcile needs GUMROAD_ACCESS_TOKEN (a token with the view_sales scope)",
              file=sys.stderr)
        return 2
    shown = not args.json and sys.stderr.isatty()

    def progress(pages: int, seen: int) -> None:
        if shown:
            sys.stderr.write(f"\rreconciling: {pages} page(s) read, {seen} sale(s) seen")
            sys.stderr.flush()

    summary = await c.reconcile()(ReconcileCommand(since=args.since, dry_run=args.dry_run, progress=progress))
    metrics.reconciliation_summary(summary, dry_run=args.dry_run)
    if shown and summary.pages_read:
        sys.stderr.write("\n")
    data = js.reconcile_json(summary)
    would = "would be " if summary.dry_run else ""
    lines = [
        f"{'dry run: ' if summary.dry_run else ''}sales created since {data['after']}"
        f"{' (resumed)' if summary.resumed else ''}",
        f"pages read: {summary.pages_read}",
        f"sales seen: {summary.sales_seen}",
        f"missing sales {would}recovered: {len(summary.recovered)}",
        f"lifecycle changes found: {len(summary.lifecycle)}",
        f"failures: {len(summary.failures)}",
    ]
    found = data["recovered"] + data["lifecycle"]
    if found:
        lines += ["", table(found, ["sale_id", "kind", "event_id", "outcome"])]
    if summary.failures:
        lines += ["", "failed events (fix the cause, then `licensemint events replay`):"]
        lines += [f"  {f['event_id']}: {f['reason']}" for f in data["failures"]]
    if not summary.complete:
        lines += ["", f"incomplete: {summary.error}; the next run resumes from the last page read"]
    _emit(args, data, "\n".join(lines))
    return 0 if summary.complete else 1


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a date, YYYY-MM-DD") from None


class _ProgressBar:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.shown = False

    def update(self, done: int, total: int, event: Event) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\rreplaying [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


def add_admin_commands(sub: Any, run: Callable[[Handler], Callable[[argparse.Namespace], int]]) -> None:
    """Adds the three command groups; `run(handler)` makes an argparse func from a handler."""

    def common(p: argparse.ArgumentParser, listing: bool = False) -> argparse.ArgumentParser:
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.add_argument("--admin", default=f"cli:{getpass.getuser()}", help="who is acting (history)")
        if listing:
            p.add_argument("--limit", type=int, default=50)
            p.add_argument("--cursor")
        return p

    lic = sub.add_parser("licenses", help="find, mint, revoke, reinstate and resend licenses").add_subparsers(
        dest="action", required=True)
    p = common(lic.add_parser("list", help="newest first"), listing=True)
    p.add_argument("--email")
    p.add_argument("--status", type=LicenseStatus, choices=list(LicenseStatus), metavar="|".join(LicenseStatus))
    p.add_argument("--product")
    p.add_argument("--source")
    p.add_argument("--test", type=_bool, metavar="true|false")
    p.add_argument("--created-from", type=_time)
    p.add_argument("--created-to", type=_time)
    p.set_defaults(func=run(licenses_list))
    p = common(lic.add_parser("show", help="with history and deliveries"))
    p.add_argument("license_id")
    p.set_defaults(func=run(licenses_show))
    p = common(lic.add_parser("mint", help="issue a license by hand (source manual)"))
    p.add_argument("--product", required=True)
    p.add_argument("--tier")
    p.add_argument("--email", required=True)
    p.add_argument("--licensee")
    p.add_argument("--seats", type=int, default=1)
    p.add_argument("--test-license", action="store_true", help="tag the license as a test")
    p.add_argument("--order-id", help="makes the call idempotent")
    p.set_defaults(func=run(licenses_mint))
    for action in (a.value for a in StatusAction):
        p = common(lic.add_parser(action))
        p.add_argument("license_id")
        p.add_argument("--reason", required=True)
        p.set_defaults(func=run(_status(action)))
    p = common(lic.add_parser("resend", help="send the license email again"))
    p.add_argument("license_id")
    p.set_defaults(func=run(licenses_resend))
    from entrypoints.cli_activations import add_activation_commands, add_seats_command

    add_seats_command(lic, run, common)
    add_activation_commands(sub, run, common)

    ev = sub.add_parser("events", help="list, show and replay stored webhooks").add_subparsers(
        dest="action", required=True)
    p = common(ev.add_parser("list", help="newest first"), listing=True)
    p.add_argument("--source")
    p.add_argument("--kind", type=NoticeKind, choices=list(NoticeKind), metavar="|".join(NoticeKind))
    p.add_argument("--status", type=EventStatus, choices=list(EventStatus), metavar="|".join(EventStatus))
    p.add_argument("--origin", type=EventOrigin, choices=list(EventOrigin), metavar="|".join(EventOrigin),
                   help="webhook or reconcile")
    p.set_defaults(func=run(events_list))
    p = common(ev.add_parser("show", help="with the raw body"))
    p.add_argument("event_id")
    p.set_defaults(func=run(events_show))
    p = common(ev.add_parser("replay", help="process an event again, or every failed one"))
    p.add_argument("event_id", nargs="?")
    p.add_argument("--failed", action="store_true", help="replay every failed event")
    p.add_argument("--source", help="with --failed: only this source")
    p.set_defaults(func=run(events_replay))

    de = sub.add_parser("deliveries", help="list deliveries, retry dead ones").add_subparsers(
        dest="action", required=True)
    p = common(de.add_parser("list", help="newest first"), listing=True)
    p.add_argument("--status", type=DeliveryStatus, choices=list(DeliveryStatus), metavar="|".join(DeliveryStatus))
    p.add_argument("--license-id")
    p.set_defaults(func=run(deliveries_list))
    p = common(de.add_parser("retry", help="put a dead delivery back in the queue"))
    p.add_argument("delivery_id")
    p.set_defaults(func=run(deliveries_retry))

    p = common(sub.add_parser("reconcile", help="recover missed sales and refunds from Gumroad's Sales API"))
    p.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="read sales created on or after this day (UTC)")
    p.add_argument("--dry-run", action="store_true", help="report what would change; change nothing")
    p.set_defaults(func=run(reconcile))


# Waits between tries when the database is unavailable (locked by another process, down).
RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0)



def runner(
    build: Callable[[], Container], prepare: Callable[[Container], Awaitable[None]]
) -> Callable[[Handler], Callable[[argparse.Namespace], int]]:
    """Wraps an async handler: build the container, make sure the schema is current, run,
    dispose; domain errors become a message and exit code 1. An unavailable database is
    tried again with backoff, saying so, then is a one-line error (exit code 3). Only
    commands that are safe to repeat are tried again: everything but a mint without
    --order-id (which might have committed before the connection went)."""

    def run(handler: Handler) -> Callable[[argparse.Namespace], int]:
        def func(args: argparse.Namespace) -> int:
            container = build()

            repeatable = handler.__name__ != "licenses_mint" or bool(getattr(args, "order_id", None))
            delays = (*RETRY_DELAYS, None) if repeatable else (None,)

            async def main() -> int:
                try:
                    await prepare(container)  # the first contact: a wrong URL fails here, at once
                    for delay in delays:
                        try:
                            code = await handler(container, args)
                            return code if isinstance(code, int) else 0
                        except StorageUnavailable as exc:
                            if delay is None:
                                print(f"licensemint: the database is unavailable: {exc}", file=sys.stderr)
                                return 3
                            print(f"licensemint: the database is unavailable ({exc}); "
                                  f"trying again in {delay:g} s", file=sys.stderr)
                            await asyncio.sleep(delay)
                    return 3
                except DomainError as exc:
                    print(f"licensemint: {exc.message}", file=sys.stderr)
                    return 1
                except DataRejected as exc:
                    print(f"licensemint: {exc}", file=sys.stderr)
                    return 1
                finally:
                    await close(container)

            return asyncio.run(main())

        return func

    return run
