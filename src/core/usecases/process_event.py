"""ProcessEvent: read a stored event, act on it, and record the outcome on the event.

Rules:
- Idempotent: an event already processed is left as it is; replaying a failed one runs it
  again, and duplicates end as "duplicate of lic_...", never as a second license.
- A body the parser cannot read, or a sale of an unmapped product, marks the event failed
  with a readable reason naming the field or the product; it is never lost.
- The "Send test ping" button mints nothing and emails nobody: it checks the catalog
  mapping and is marked processed as a validated test.
- A sale mints (MintFromSale), with any refund or dispute of it that arrived first;
  refunds, disputes and subscription events change the license (ApplyLifecycle).
- The outcome is written in the same transaction as the work it describes.
- A value the store rejects (too long, a NUL byte) marks the event failed naming the field.
- An unexpected error marks the event failed too, so it can be replayed once fixed.
- With a confirmer, a sale ping (origin webhook) not yet licensed is confirmed with the
  platform before the transaction starts: a sale it does not know fails as "unconfirmed:
  ...", and when it cannot be asked the event waits as pending confirmation (retried by
  the worker). Events written by reconciliation come from the platform's API already.
- A giftee's ping for a gift that reconciliation already recovered (keyed on the gifter's
  sale id) is a duplicate of that license.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

from core.domain.errors import DomainError, NotFound, UnmappedProduct
from core.domain.model import Event, EventOrigin, EventStatus
from core.domain.notices import NoticeKind, SaleNotice
from core.domain.text import printable
from core.usecases.apply_lifecycle import ApplyLifecycle, ApplyLifecycleCommand
from core.usecases.mint_from_sale import EarlierEvent, MintFromSale, MintFromSaleCommand
from core.usecases.reconcile_sales import recovered_gift
from ports.catalog import Catalog
from ports.clock import Clock
from ports.errors import AlreadyExists, DataRejected, StorageUnavailable
from ports.parser import NoticeParser
from ports.sale_confirmer import Confirmation, SaleConfirmer, Verdict
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

# One retry is enough to lose a unique race and then see the winner's row.
_RACE_RETRIES = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessEventCommand:
    event_id: str
    recorded: Event | None = None
    """The event as RecordEvent just stored it: saves reading it back on the first try."""


class ProcessEvent:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        parsers: Mapping[str, NoticeParser],
        catalog: Catalog,
        mint: MintFromSale,
        lifecycle: ApplyLifecycle,
        clock: Clock,
        confirmer: SaleConfirmer | None = None,
    ) -> None:
        self._uow = uow
        self._parsers = parsers
        self._catalog = catalog
        self._mint = mint
        self._lifecycle = lifecycle
        self._clock = clock
        self._confirmer = confirmer

    async def __call__(self, cmd: ProcessEventCommand) -> Event:
        recorded = cmd.recorded if cmd.recorded is not None and cmd.recorded.id == cmd.event_id else None
        confirmation = await self._confirm_first(cmd.event_id, recorded) if self._confirmer else None
        for _ in range(_RACE_RETRIES):
            try:
                return await self._attempt(cmd.event_id, recorded, confirmation)
            except AlreadyExists:
                recorded = None  # read it afresh
                continue
            except DataRejected as exc:  # a value the store cannot keep: the event fails, named
                return await self._record_failure(cmd.event_id, f"a value was rejected: {exc}")
            except (StorageUnavailable, NotFound):
                raise
            except Exception as exc:  # a bug must not lose the event: record it, replay later
                log.exception("processing event %s failed unexpectedly", cmd.event_id)
                return await self._record_failure(
                    cmd.event_id, f"unexpected error: {type(exc).__name__}: {exc}"
                )
        return await self._record_failure(cmd.event_id, "lost the same unique race repeatedly")

    async def _confirm_first(self, event_id: str, recorded: Event | None) -> Confirmation | None:
        """Asks the platform about a sale ping, outside any transaction; None when there is
        nothing to ask (not a sale, not from a webhook, already licensed, unreadable)."""
        assert self._confirmer is not None
        if recorded is None:
            async with self._uow(autocommit=True) as uow:
                recorded = await self._load(uow, event_id)
        parser = self._parsers.get(recorded.source)
        if recorded.status is EventStatus.PROCESSED or recorded.origin is not EventOrigin.WEBHOOK or parser is None:
            return None
        try:
            notice = parser.parse(recorded.body, recorded.content_type)
        except DomainError:
            return None
        if notice.kind is not NoticeKind.SALE or not isinstance(notice, SaleNotice):
            return None
        async with self._uow(autocommit=True) as uow:
            if await uow.licenses.get_by_order(recorded.source, notice.sale_id) is not None:
                return None
        return await self._confirmer.confirm(recorded.source, notice)

    async def _attempt(self, event_id: str, recorded: Event | None, confirmation: Confirmation | None = None) -> Event:
        wake = False
        async with self._uow() as uow:
            event = recorded or await self._load(uow, event_id)
            if event.status is EventStatus.PROCESSED:
                return event
            try:
                kind, external_id, outcome, wake = await self._act(uow, event, confirmation)
                done = replace(
                    event,
                    status=EventStatus.PROCESSED,
                    kind=kind,
                    external_id=external_id,
                    outcome=outcome,
                    attempts=event.attempts + 1,
                    processed_at=self._clock.now(),
                )
            except _Failed as failed:
                wake = False
                done = replace(
                    event,
                    status=EventStatus.PENDING_CONFIRMATION if failed.pending else EventStatus.FAILED,
                    kind=failed.kind or event.kind,
                    external_id=failed.external_id or event.external_id,
                    outcome=printable(failed.reason),  # it quotes the body: no raw control characters
                    attempts=event.attempts + 1,
                    processed_at=self._clock.now(),
                )
            await uow.events.update(done)
            await uow.commit()
        if wake:
            self._mint.wake()
        return done

    async def _act(
        self, uow: UnitOfWork, event: Event, confirmation: Confirmation | None = None
    ) -> tuple[str, str | None, str, bool]:
        parser = self._parsers.get(event.source)
        if parser is None:
            raise _Failed(f"no parser for source {event.source!r}")
        try:
            notice = parser.parse(event.body, event.content_type)
        except DomainError as exc:
            raise _Failed(exc.message) from exc

        kind = notice.kind.value
        external_id = notice.sale_id if isinstance(notice, SaleNotice) else notice.subscription_id
        try:
            if notice.kind is NoticeKind.TEST_PING:
                assert isinstance(notice, SaleNotice)
                return kind, external_id, self._validate_test_ping(event.source, notice), False
            if notice.kind is NoticeKind.SALE:
                assert isinstance(notice, SaleNotice)
                await uow.licenses.lock_order(event.source, notice.sale_id)
                if confirmation is not None and confirmation.verdict is not Verdict.CONFIRMED:
                    await self._unconfirmed(uow, event.source, notice, confirmation)
                if notice.is_gift_receiver_purchase and event.origin is EventOrigin.WEBHOOK:
                    gift = await recovered_gift(uow, event.source, notice, parser)
                    if gift is not None:
                        return kind, external_id, f"duplicate of {gift.id} (a gift reconciliation recovered)", False
                earlier = await self._earlier(uow, event, notice.sale_id, parser)
                result = await self._mint.within(
                    uow,
                    MintFromSaleCommand(source=event.source, sale=notice, event_id=event.id, earlier=earlier),
                )
                return kind, external_id, result.outcome, result.minted
            changed = await self._lifecycle.within(
                uow, ApplyLifecycleCommand(source=event.source, notice=notice, event_id=event.id)
            )
            return kind, external_id, changed.outcome, changed.wake
        except DomainError as exc:
            raise _Failed(exc.message, kind=kind, external_id=external_id) from exc

    async def _unconfirmed(
        self, uow: UnitOfWork, source: str, notice: SaleNotice, confirmation: Confirmation
    ) -> None:
        """Stops an unconfirmed sale, unless it was licensed meanwhile (then it is a duplicate)."""
        if await uow.licenses.get_by_order(source, notice.sale_id) is not None:
            return
        kind, external_id = notice.kind.value, notice.sale_id
        if confirmation.verdict is Verdict.UNKNOWN:
            raise _Failed(f"unconfirmed: {confirmation.reason}; nothing minted", kind=kind, external_id=external_id)
        raise _Failed(f"pending confirmation: {confirmation.reason}", kind=kind, external_id=external_id, pending=True)

    async def _earlier(
        self, uow: UnitOfWork, sale_event: Event, sale_id: str, parser: NoticeParser
    ) -> tuple[EarlierEvent, ...]:
        """Refunds and disputes of this sale processed before the sale itself arrived."""
        found = []
        for other in await uow.events.for_external_id(sale_event.source, sale_id):
            if other.id == sale_event.id or other.status is not EventStatus.PROCESSED:
                continue
            if other.kind in ("refund", "dispute", "dispute_won"):
                notice = parser.parse(other.body, other.content_type)
                found.append(EarlierEvent(event_id=other.id, kind=other.kind, refunded=notice.refunded))
        return tuple(found)

    def _validate_test_ping(self, source: str, notice: SaleNotice) -> str:
        mapping = self._catalog.resolve(source, notice.product_id, notice.variants)
        if mapping is None:
            raise UnmappedProduct(
                f"test ping: product_id {notice.product_id!r} ({notice.product_name}) "
                "is not in the catalog; a real sale of it would fail"
            )
        return (
            f"test ping validated: maps to {mapping.product.key}/{mapping.tier.key}; "
            "nothing minted, nobody emailed"
        )

    async def _load(self, uow: UnitOfWork, event_id: str) -> Event:
        event = await uow.events.get(event_id)
        if event is None:
            raise NotFound(f"no event {event_id}")
        return event

    async def _record_failure(self, event_id: str, reason: str) -> Event:
        async with self._uow() as uow:
            event = await self._load(uow, event_id)
            failed = replace(
                event,
                status=EventStatus.FAILED,
                outcome=printable(reason),
                attempts=event.attempts + 1,
                processed_at=self._clock.now(),
            )
            await uow.events.update(failed)
            await uow.commit()
        return failed


class _Failed(Exception):
    def __init__(
        self, reason: str, *, kind: str | None = None, external_id: str | None = None, pending: bool = False
    ):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.external_id = external_id
        self.pending = pending
