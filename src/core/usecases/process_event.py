"""ProcessEvent: read a stored event, act on it, and record the outcome on the event.

Rules:
- Idempotent: an event already processed is left as it is; replaying a failed one runs it
  again, and duplicates end as "duplicate of lic_...", never as a second license.
- A body the parser cannot read, a sale of an unmapped product, or a plan change to an
  unmapped tier marks the event failed with a readable reason naming the field, product
  or tier; it is never lost, and a replay after the fix applies it.
- The "Send test ping" button mints nothing and emails nobody: it checks the catalog
  mapping and is marked processed as a validated test.
- Sales, refunds, disputes and subscription events are applied by recomputing their
  license from every event known for its order or subscription (see ledger.py).
- The outcome (a code and a message) is written in the same transaction as the work it
  describes; the delivery worker is woken only once that transaction commits.
- A value the store rejects (too long, a NUL byte) marks the event failed naming the field.
- An unexpected error marks the event failed too, so it can be replayed once fixed.
- With a confirmer, a sale ping (origin webhook) not yet licensed is confirmed with the
  platform before the transaction starts: a sale it does not know fails as "unconfirmed:
  ..." (code `unconfirmed`), and when it cannot be asked the event waits as pending
  confirmation (retried by the worker). Events written by reconciliation come from the
  platform's API already, and take the same path as pings otherwise.
- A giftee's ping for a gift that reconciliation already recovered (keyed on the gifter's
  sale id) is a duplicate of that license.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

from core.domain.errors import DomainError, MalformedEvent, NotFound, UnmappedProduct, UnmappedTier
from core.domain.model import Event, EventOrigin, EventStatus, OutcomeCode
from core.domain.notices import NoticeKind, SaleNotice
from core.domain.text import printable
from core.usecases.ledger import Applied, Ledger
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

_FAILURE_CODES: dict[type[DomainError], OutcomeCode] = {
    MalformedEvent: OutcomeCode.MALFORMED,
    UnmappedProduct: OutcomeCode.UNMAPPED_PRODUCT,
    UnmappedTier: OutcomeCode.UNMAPPED_TIER,
}


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
        ledger: Ledger,
        clock: Clock,
        confirmer: SaleConfirmer | None = None,
    ) -> None:
        self._uow = uow
        self._parsers = parsers
        self._catalog = catalog
        self._ledger = ledger
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
                return await self._record_failure(cmd.event_id, OutcomeCode.REJECTED_VALUE, f"a value was rejected: {exc}")
            except (StorageUnavailable, NotFound):
                raise
            except Exception as exc:  # a bug must not lose the event: record it, replay later
                log.exception("processing event %s failed unexpectedly", cmd.event_id)
                return await self._record_failure(
                    cmd.event_id, OutcomeCode.UNEXPECTED_ERROR, f"unexpected error: {type(exc).__name__}: {exc}"
                )
        return await self._record_failure(
            cmd.event_id, OutcomeCode.UNEXPECTED_ERROR, "lost the same unique race repeatedly"
        )

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

    async def _attempt(self, event_id: str, recorded: Event | None, confirmation: Confirmation | None) -> Event:
        async with self._uow() as uow:
            event = recorded or await self._load(uow, event_id)
            if event.status is EventStatus.PROCESSED:
                return event
            status = EventStatus.PROCESSED
            kind: NoticeKind | None
            external_id: str | None
            try:
                kind, external_id, applied = await self._act(uow, event, confirmation)
            except _Failed as failed:
                status = EventStatus.PENDING_CONFIRMATION if failed.pending else EventStatus.FAILED
                kind, external_id = failed.kind or event.kind, failed.external_id or event.external_id
                # the reason may quote the body: no raw control characters
                applied = Applied(code=failed.code, message=printable(failed.reason))
            done = replace(
                event, status=status, kind=kind, external_id=external_id, outcome=applied.message,
                outcome_code=applied.code, attempts=event.attempts + 1, processed_at=self._clock.now(),
            )
            await uow.events.update(done)
            await uow.commit()
        return done

    async def _act(
        self, uow: UnitOfWork, event: Event, confirmation: Confirmation | None
    ) -> tuple[NoticeKind, str, Applied]:
        parser = self._parsers.get(event.source)
        if parser is None:
            raise _Failed(OutcomeCode.NO_PARSER, f"no parser for source {event.source!r}")
        try:
            notice = parser.parse(event.body, event.content_type)
        except DomainError as exc:
            raise _Failed(_FAILURE_CODES.get(type(exc), OutcomeCode.MALFORMED), exc.message) from exc

        kind = notice.kind
        try:
            if notice.kind is NoticeKind.TEST_PING:
                assert isinstance(notice, SaleNotice)
                return kind, notice.sale_id, self._validate_test_ping(event.source, notice)
            if isinstance(notice, SaleNotice) and notice.kind is NoticeKind.SALE:
                await self._ledger.lock(uow, event.source, notice)
                if confirmation is not None and confirmation.verdict is not Verdict.CONFIRMED:
                    await self._unconfirmed(uow, event.source, notice, confirmation)
                if notice.is_gift_receiver_purchase and event.origin is EventOrigin.WEBHOOK:
                    gift = await recovered_gift(uow, event.source, notice, parser)
                    if gift is not None:
                        return kind, notice.thread, Applied(
                            code=OutcomeCode.DUPLICATE,
                            message=f"duplicate of {gift.id} (a gift reconciliation recovered)",
                        )
            return kind, notice.thread, await self._ledger.apply(uow, event, notice)
        except DomainError as exc:
            code = _FAILURE_CODES.get(type(exc), OutcomeCode.UNEXPECTED_ERROR)
            raise _Failed(code, exc.message, kind=kind, external_id=notice.thread) from exc

    async def _unconfirmed(
        self, uow: UnitOfWork, source: str, notice: SaleNotice, confirmation: Confirmation
    ) -> None:
        """Stops an unconfirmed sale, unless it was licensed meanwhile (then it is a duplicate)."""
        if await uow.licenses.get_by_order(source, notice.sale_id) is not None:
            return
        kind, external_id = notice.kind, notice.thread
        if confirmation.verdict is Verdict.UNKNOWN:
            raise _Failed(OutcomeCode.UNCONFIRMED, f"unconfirmed: {confirmation.reason}; nothing minted",
                          kind=kind, external_id=external_id)
        raise _Failed(OutcomeCode.PENDING_CONFIRMATION, f"pending confirmation: {confirmation.reason}",
                      kind=kind, external_id=external_id, pending=True)

    def _validate_test_ping(self, source: str, notice: SaleNotice) -> Applied:
        mapping = self._catalog.resolve(source, notice.product_id, notice.variants)
        if mapping is None:
            raise UnmappedProduct(
                f"test ping: product_id {notice.product_id!r} ({notice.product_name}) "
                "is not in the catalog; a real sale of it would fail"
            )
        return Applied(
            code=OutcomeCode.TEST_PING,
            message=f"test ping validated: maps to {mapping.product.key}/{mapping.tier.key}; "
            "nothing minted, nobody emailed",
        )

    async def _load(self, uow: UnitOfWork, event_id: str) -> Event:
        event = await uow.events.get(event_id)
        if event is None:
            raise NotFound(f"no event {event_id}")
        return event

    async def _record_failure(self, event_id: str, code: OutcomeCode, reason: str) -> Event:
        async with self._uow() as uow:
            event = await self._load(uow, event_id)
            failed = replace(
                event, status=EventStatus.FAILED, outcome=printable(reason), outcome_code=code,
                attempts=event.attempts + 1, processed_at=self._clock.now(),
            )
            await uow.events.update(failed)
            await uow.commit()
        return failed


class _Failed(Exception):
    def __init__(
        self, code: OutcomeCode, reason: str, *, kind: NoticeKind | None = None, external_id: str | None = None,
        pending: bool = False,
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.kind = kind
        self.external_id = external_id
        self.pending = pending
