"""How reconciliation reads one listed sale: the notices it stands for, and gifts.

Gumroad lists a gift as the gifter's paid sale (never pinged) and pings only the giftee's
$0 copy (never listed); no id links the two. A gift sender's row is matched to a stored
gift-receiver ping by product, giftee, gifter, price and time (docs: the Sales API notes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from core.domain.errors import DomainError
from core.domain.model import Event, EventOrigin, EventStatus, License, OutcomeCode
from core.domain.notices import NoticeKind, SaleNotice
from core.domain.queries import EventFilter, PageRequest
from core.domain.sales import ListedSale
from ports.parser import NoticeParser
from ports.unit_of_work import UnitOfWork

GIFT_TIME_WINDOW = timedelta(hours=1)
"""How far apart a gift's two rows may have been created and still be one gift."""


def notice_for(sale: ListedSale, kind: NoticeKind, order_id: str) -> SaleNotice:
    """The ping Gumroad would have sent about `sale` (for a gift: the giftee's copy)."""
    gift = sale.is_gift_sender_purchase
    return SaleNotice(
        kind=kind,
        sale_id=order_id,
        product_id=sale.product_id,
        product_name=sale.product_name,
        email=(sale.giftee_email or sale.purchase_email) if gift else sale.purchase_email,
        full_name=None if gift else sale.full_name,
        price_cents=0 if gift else sale.price_cents,
        currency=sale.currency,
        quantity=sale.quantity,
        variants=dict(sale.variants),
        order_number=None if gift and order_id != sale.id else sale.order_number,
        sale_timestamp=sale.created_at,
        subscription_id=sale.subscription_id,
        is_recurring_charge=sale.recurring_charge,
        is_gift_receiver_purchase=gift,
        gifter_email=sale.purchase_email if gift else None,
        gift_price_cents=sale.price_cents if gift else None,
        refunded=sale.refunded or kind is NoticeKind.REFUND,
        disputed=sale.in_dispute or kind in (NoticeKind.DISPUTE, NoticeKind.DISPUTE_WON),
        dispute_won=sale.dispute_won or kind is NoticeKind.DISPUTE_WON,
    )


def wanted_changes(sale: ListedSale, applied: set[NoticeKind]) -> list[NoticeKind]:
    """The lifecycle events the sale's flags call for that were never applied, in order."""
    wanted = []
    if sale.refunded and NoticeKind.REFUND not in applied:
        wanted.append(NoticeKind.REFUND)
    if (sale.in_dispute or sale.dispute_won) and NoticeKind.DISPUTE not in applied:
        wanted.append(NoticeKind.DISPUTE)
    if sale.dispute_won and NoticeKind.DISPUTE_WON not in applied:
        wanted.append(NoticeKind.DISPUTE_WON)
    return wanted


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderState:
    """What licensemint holds about one order."""

    has_sale: bool
    applied: set[NoticeKind]


_SALE_SHAPED = (NoticeKind.SALE, NoticeKind.REFUND, NoticeKind.DISPUTE, NoticeKind.DISPUTE_WON)


async def order_state(
    uow: UnitOfWork, source: str, order_id: str, parser: NoticeParser, subscription_id: str | None = None
) -> OrderState:
    """A sale counts as stored when it is licensed or has a sale event, except one that
    failed as unconfirmed (the platform now lists it: it is real after all). Lifecycle
    events count as applied in whatever state they are (a failed one is replayable).

    A membership charge's events are gathered under its subscription, so they are read
    there too, and only those about this charge count."""
    has_sale = await uow.licenses.get_by_order(source, order_id) is not None
    applied: set[NoticeKind] = set()
    seen: set[str] = set()
    for key in dict.fromkeys(k for k in (order_id, subscription_id) if k):
        for event in await uow.events.for_external_id(source, key):
            if event.id in seen or event.kind not in _SALE_SHAPED:
                continue
            seen.add(event.id)
            try:
                notice = parser.parse(event.body, event.content_type)
            except DomainError:
                continue
            if not isinstance(notice, SaleNotice) or notice.sale_id != order_id:
                continue
            if event.kind is NoticeKind.SALE:
                has_sale = has_sale or not _unconfirmed(event)
            elif event.kind is NoticeKind.REFUND:
                if notice.refunded:
                    applied.add(NoticeKind.REFUND)
            elif event.kind is not None:
                applied.add(event.kind)
    return OrderState(has_sale=has_sale, applied=applied)


def _unconfirmed(event: Event) -> bool:
    return event.status is EventStatus.FAILED and (
        event.outcome_code is OutcomeCode.UNCONFIRMED or (event.outcome or "").startswith("unconfirmed")
    )


@dataclass
class GiftReceivers:
    """The gift-receiver pings stored since a date, read once per run on first need."""

    source: str
    since: date
    parsers: Mapping[str, NoticeParser]
    _found: list[SaleNotice] | None = None
    _taken: set[str] = field(default_factory=set)

    async def match(self, uow: UnitOfWork, sale: ListedSale) -> str | None:
        """The sale id of the stored giftee ping that `sale` (a gift sender's row) paid for."""
        if self._found is None:
            self._found = await self._load(uow)
        best: tuple[timedelta, str] | None = None
        for ping in self._found:
            if ping.sale_id in self._taken or not _same_gift(ping, sale):
                continue
            gap = abs(ping.sale_timestamp - sale.created_at) if ping.sale_timestamp else GIFT_TIME_WINDOW
            if best is None or gap < best[0]:
                best = (gap, ping.sale_id)
        if best is None:
            return None
        self._taken.add(best[1])
        return best[1]

    async def _load(self, uow: UnitOfWork) -> list[SaleNotice]:
        parser = self.parsers[self.source]
        oldest = datetime(self.since.year, self.since.month, self.since.day, tzinfo=UTC) - timedelta(days=1)
        found: list[SaleNotice] = []
        page = PageRequest(limit=200)
        while True:
            batch = await uow.events.search(EventFilter(source=self.source, kind=NoticeKind.SALE), page)
            for event in batch.items:
                if event.origin is not EventOrigin.WEBHOOK or _unconfirmed(event):
                    continue
                try:
                    notice = parser.parse(event.body, event.content_type)
                except DomainError:
                    continue
                if isinstance(notice, SaleNotice) and notice.is_gift_receiver_purchase:
                    found.append(notice)
            if batch.next is None or (batch.items and batch.items[-1].received_at < oldest):
                return found
            page = PageRequest(after=batch.next, limit=200)


def _same_gift(ping: SaleNotice, sale: ListedSale) -> bool:
    def same(a: str | None, b: str | None) -> bool:
        return bool(a) and bool(b) and a.strip().lower() == b.strip().lower()  # type: ignore[union-attr]

    if ping.product_id != sale.product_id or not same(ping.email, sale.giftee_email):
        return False
    if not same(ping.gifter_email, sale.purchase_email):
        return False
    if ping.gift_price_cents is not None and ping.gift_price_cents != sale.price_cents:
        return False
    return ping.sale_timestamp is None or abs(ping.sale_timestamp - sale.created_at) <= GIFT_TIME_WINDOW


async def recovered_gift(uow: UnitOfWork, source: str, ping: SaleNotice, parser: NoticeParser) -> License | None:
    """The license reconciliation minted for the gift this giftee's ping is about, if it
    recovered the gift before the ping came (keyed on the gifter's sale id)."""
    page = PageRequest(limit=200)
    while True:
        batch = await uow.events.search(
            EventFilter(source=source, kind=NoticeKind.SALE, origin=EventOrigin.RECONCILE), page)
        for event in batch.items:
            if ping.sale_timestamp is not None and event.received_at < ping.sale_timestamp:
                return None  # recovered events come after their sale
            try:
                notice = parser.parse(event.body, event.content_type)
            except DomainError:
                continue
            if not isinstance(notice, SaleNotice) or not notice.is_gift_receiver_purchase:
                continue
            if notice.sale_id != ping.sale_id and _same_recovered_gift(notice, ping):
                lic = await uow.licenses.get_by_order(source, notice.sale_id)
                if lic is not None:
                    return lic
        if batch.next is None:
            return None
        page = PageRequest(after=batch.next, limit=200)


def _same_recovered_gift(recovered: SaleNotice, ping: SaleNotice) -> bool:
    def same(a: str | None, b: str | None) -> bool:
        return (a or "").strip().lower() == (b or "").strip().lower() != ""

    if recovered.product_id != ping.product_id or not same(recovered.email, ping.email):
        return False
    if not same(recovered.gifter_email, ping.gifter_email):
        return False
    if ping.gift_price_cents is not None and recovered.gift_price_cents != ping.gift_price_cents:
        return False
    if recovered.sale_timestamp and ping.sale_timestamp:
        return abs(recovered.sale_timestamp - ping.sale_timestamp) <= GIFT_TIME_WINDOW
    return True
