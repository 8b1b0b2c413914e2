"""Reconcile: read the platform's list of sales and make licensemint agree with it.

Rules:
- Pages through the platform's sales (newest first) created on or after a date: `since`
  when given; else the stored point less an overlap window (OVERLAP); else, on the first
  run, FIRST_RUN back from now.
- A listed sale with no stored sale event (and no license) becomes an event of origin
  `reconcile`, written in the webhook's own format and processed by ProcessEvent, exactly
  as a ping: it mints, or fails and can be replayed; a ping of the same sale, earlier or
  later, ends as a duplicate. A sale event that failed as "unconfirmed" does not count as
  stored: the platform lists the sale, so it is real.
- A listed sale whose refunded, disputed/charged-back or dispute-won flags were never
  applied becomes the matching refund, dispute or dispute_won event, recorded before a
  recovered sale so a sale found already refunded is minted revoked, with no email.
- Gifts: the gifter's listed row is matched to the giftee's stored ping (GiftReceivers);
  its refunds and disputes apply to the giftee's license (Gumroad never pings them). An
  unmatched gift is recovered as the giftee's sale, keyed on the gifter's sale id.
- The point is stored after every page (the cursor of the next one), so a run that stops
  midway resumes there; a completed run moves the point to when it started. `since` starts
  a new run (or resumes one that stopped with the same `since`).
- `dry_run` records nothing and moves nothing; it reports what a run would do.
- A page that cannot be read ends the run as incomplete, with the reason. Events that
  fail to process are listed in the summary; they do not make the run incomplete.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from core.domain.model import Event, EventOrigin, EventStatus
from core.domain.notices import NoticeKind
from core.domain.sales import ListedSale, ReconcilePoint
from core.usecases.process_event import ProcessEvent, ProcessEventCommand
from core.usecases.reconcile_sales import GiftReceivers, notice_for, order_state, wanted_changes
from ports.clock import Clock, IdGenerator
from ports.parser import NoticeEncoder, NoticeParser
from ports.sales_api import SalesApi, SalesApiError
from ports.unit_of_work import UnitOfWorkFactory

OVERLAP = timedelta(days=3)
FIRST_RUN = timedelta(days=30)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconcileCommand:
    since: date | None = None
    dry_run: bool = False
    progress: Callable[[int, int], None] | None = None
    """Called after each page with (pages read, sales seen)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    sale_id: str
    kind: str
    event_id: str | None = None
    outcome: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconcileSummary:
    after: date
    resumed: bool
    dry_run: bool
    complete: bool
    pages_read: int
    sales_seen: int
    recovered: tuple[Finding, ...] = ()
    lifecycle: tuple[Finding, ...] = ()
    failures: tuple[tuple[str, str], ...] = ()
    error: str | None = None


@dataclass
class _Run:
    pages: int = 0
    seen: int = 0
    recovered: list[Finding] = field(default_factory=list)
    lifecycle: list[Finding] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


class Reconcile:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        sales: SalesApi,
        parsers: Mapping[str, NoticeParser],
        encoder: NoticeEncoder,
        process: ProcessEvent,
        clock: Clock,
        ids: IdGenerator,
        source: str = "gumroad",
    ) -> None:
        self._uow = uow
        self._sales = sales
        self._parsers = parsers
        self._encoder = encoder
        self._process = process
        self._clock = clock
        self._ids = ids
        self._source = source

    async def __call__(self, cmd: ReconcileCommand) -> ReconcileSummary:
        now = self._clock.now()
        async with self._uow(autocommit=True) as uow:
            stored = await uow.reconciliation.get(self._source)
        after, page_key, started = self._start(stored, cmd.since, now)
        resumed = page_key is not None
        point = stored or ReconcilePoint(source=self._source, updated_at=now)
        gifts = GiftReceivers(source=self._source, since=after, parsers=self._parsers)
        run = _Run()
        error = None
        while True:
            try:
                page = await self._sales.list_sales(after=after, page_key=page_key)
            except SalesApiError as exc:
                error = f"{type(exc).__name__}: {exc}"
                break
            for sale in page.sales:
                await self._sale(sale, run, gifts, cmd.dry_run)
            run.pages += 1
            run.seen += len(page.sales)
            page_key = page.next_page_key
            if page_key is None:
                reconciled_to = point.reconciled_to
                if reconciled_to is None or after <= reconciled_to.date():
                    reconciled_to = started
                point = replace(point, reconciled_to=reconciled_to, run_after=None, run_started_at=None,
                                page_key=None, updated_at=self._clock.now())
            else:
                point = replace(point, run_after=after, run_started_at=started, page_key=page_key,
                                updated_at=self._clock.now())
            if not cmd.dry_run:
                async with self._uow(autocommit=True) as uow:
                    await uow.reconciliation.save(point)
            if cmd.progress:
                cmd.progress(run.pages, run.seen)
            if page_key is None:
                break
        return ReconcileSummary(
            after=after, resumed=resumed, dry_run=cmd.dry_run, complete=error is None,
            pages_read=run.pages, sales_seen=run.seen, recovered=tuple(run.recovered),
            lifecycle=tuple(run.lifecycle), failures=tuple(run.failures), error=error,
        )

    def _start(
        self, stored: ReconcilePoint | None, since: date | None, now: datetime
    ) -> tuple[date, str | None, datetime]:
        """(after, page to resume from, when the run started)."""
        unfinished = stored is not None and stored.page_key is not None and stored.run_after is not None
        if unfinished and stored is not None and (since is None or since == stored.run_after):
            assert stored.run_after is not None
            return stored.run_after, stored.page_key, stored.run_started_at or now
        if since is not None:
            return since, None, now
        if stored is not None and stored.reconciled_to is not None:
            return (stored.reconciled_to - OVERLAP).date(), None, now
        return (now - FIRST_RUN).date(), None, now

    async def _sale(self, sale: ListedSale, run: _Run, gifts: GiftReceivers, dry_run: bool) -> None:
        parser = self._parsers[self._source]
        order_id = sale.id
        async with self._uow() as uow:
            state = await order_state(uow, self._source, order_id, parser, sale.subscription_id)
            if sale.is_gift_sender_purchase and not state.has_sale:
                receiver = await gifts.match(uow, sale)
                if receiver is not None:
                    order_id = receiver
                    state = await order_state(uow, self._source, order_id, parser)
        kinds = wanted_changes(sale, state.applied)
        if not state.has_sale:
            kinds.append(NoticeKind.SALE)
        for kind in kinds:
            finding = Finding(sale_id=order_id, kind=kind.value)
            if not dry_run:
                event = await self._record_and_process(sale, kind, order_id)
                finding = replace(finding, event_id=event.id, outcome=event.outcome)
                if event.status is not EventStatus.PROCESSED:
                    run.failures.append((event.id, event.outcome or event.status.value))
            (run.recovered if kind is NoticeKind.SALE else run.lifecycle).append(finding)

    async def _record_and_process(self, sale: ListedSale, kind: NoticeKind, order_id: str) -> Event:
        body, content_type = self._encoder.encode(notice_for(sale, kind, order_id))
        event = Event(
            id=self._ids.new_id("evt"), source=self._source, body=body, content_type=content_type,
            received_at=self._clock.now(), origin=EventOrigin.RECONCILE,
        )
        async with self._uow(autocommit=True) as uow:
            await uow.events.add(event)
        return await self._process(ProcessEventCommand(event_id=event.id, recorded=event))
