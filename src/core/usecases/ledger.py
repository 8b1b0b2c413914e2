"""Applying a platform event to its license by recomputing the license from every event
known for its order or subscription (see core.domain.lifecycle for the fold's rules).

Rules:
- The events of one order or subscription are applied one at a time (`uow.lock`).
- One license per order, and one per subscription whichever of its charges arrives first;
  every charge of a subscription (first or renewal) and every refund or dispute of one is
  applied to that license.
- A license is minted when its first mapped charge is processed, in the standing every
  event known so far calls for: a refunded sale's license is born revoked, a disputed one
  suspended, with one history row per change, each naming its event.
- Afterwards an event changes the license only when it changes the computed standing: a
  duplicate, a late copy or a replay changes nothing. The license then takes the new
  standing (status, and a new key when the tier or seats changed).
- An email is queued when the standing newly calls for one (the license is active and its
  current key was never queued); a waiting email for a key that is no longer current, or
  for a license that is no longer active, is withdrawn.
- What cannot be applied yet fails: a sale of an unmapped product, a plan change to an
  unmapped tier (each names what the catalog lacks); a replay after the fix applies it.
- A gift names no licensee; the gifter is kept as `gifted_by`.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from dataclasses import dataclass, replace
from datetime import datetime

from core.domain.activation import paid_period_end
from core.domain.errors import UnmappedProduct, UnmappedTier
from core.domain.lifecycle import Fact, Reason, Standing, Step, final, reinstated_by, replay
from core.domain.model import (
    Actor, Event, EventStatus, License, LicenseStatus, OutcomeCode,
)
from core.domain.notices import Notice, NoticeKind, SaleNotice, SubscriptionNotice
from core.usecases.outbox import settle_outbox
from ports.catalog import Catalog
from ports.clock import Clock, IdGenerator
from ports.parser import NoticeParser
from ports.signer import Signer
from ports.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True, kw_only=True)
class Applied:
    code: OutcomeCode
    message: str


class Ledger:
    def __init__(
        self, *, catalog: Catalog, signer: Signer, clock: Clock, ids: IdGenerator,
        parsers: MappingType[str, NoticeParser],
    ) -> None:
        self._catalog = catalog
        self._signer = signer
        self._clock = clock
        self._ids = ids
        self._parsers = parsers

    async def lock(self, uow: UnitOfWork, source: str, notice: Notice) -> None:
        """Applies the events of one order or subscription one at a time (held to commit)."""
        await uow.lock(f"{source}\0{notice.thread}")

    async def apply(self, uow: UnitOfWork, event: Event, notice: Notice) -> Applied:
        await self.lock(uow, event.source, notice)
        if isinstance(notice, SaleNotice) and notice.is_preorder_authorization:
            return Applied(code=OutcomeCode.PREORDER, message="preorder authorisation: no license until the charge")
        lic = await self._license(uow, event.source, notice)
        current = self._fact(event, notice, lic, strict=True)
        keys = {notice.thread} | ({k for k in (lic.order_id, lic.subscription_id) if k} if lic else set())
        others = await self._facts(uow, event, keys, lic)
        after = replay([*others, current])
        if lic is None:
            return await self._mint(uow, event, notice, after)
        return await self._follow(uow, event, notice, lic, final(replay(others)), final(after))

    async def _license(self, uow: UnitOfWork, source: str, notice: Notice) -> License | None:
        if isinstance(notice, SaleNotice):
            lic = None
            if notice.subscription_id:
                lic = await uow.licenses.get_by_subscription(source, notice.subscription_id)
            return lic or await uow.licenses.get_by_order(source, notice.sale_id)
        lic = await uow.licenses.get_by_subscription(source, notice.subscription_id)
        for sale_id in notice.purchase_ids if lic is None else ():
            lic = await uow.licenses.get_by_order(source, sale_id)
            if lic is not None:
                # A membership first licensed without its subscription id: adopt it, so
                # the subscription's later events find the license directly.
                lic = replace(lic, subscription_id=lic.subscription_id or notice.subscription_id)
                await uow.licenses.update(lic)
                break
        return lic

    async def _facts(self, uow: UnitOfWork, event: Event, keys: set[str], lic: License | None) -> list[Fact]:
        """The other processed events of this order or subscription, as facts."""
        parser = self._parsers[event.source]
        seen: dict[str, Fact] = {}
        for key in sorted(keys):
            for other in await uow.events.for_external_id(event.source, key):
                if other.id == event.id or other.id in seen or other.status is not EventStatus.PROCESSED:
                    continue
                if other.kind in (None, NoticeKind.TEST_PING):
                    continue
                notice = parser.parse(other.body, other.content_type)
                if isinstance(notice, SaleNotice) and notice.is_preorder_authorization:
                    continue
                seen[other.id] = self._fact(other, notice, lic, strict=False)
        return list(seen.values())

    def _fact(self, event: Event, notice: Notice, lic: License | None, *, strict: bool) -> Fact:
        """`strict`: the event being processed, which fails when its effect cannot be applied."""
        if isinstance(notice, SaleNotice):
            tier = None
            if notice.kind is NoticeKind.SALE:
                mapping = self._catalog.resolve(event.source, notice.product_id, notice.variants)
                if mapping is None and strict:
                    raise UnmappedProduct(_unmapped_product(notice))
                tier = mapping.tier if mapping else None
            return Fact(
                event_id=event.id, kind=notice.kind, at=notice.sale_timestamp, arrived=event.received_at,
                sale_id=notice.sale_id, refunded=notice.refunded, disputed=notice.disputed,
                dispute_won=notice.dispute_won, tier=tier, quantity=notice.quantity,
                price_cents=notice.price_cents, currency=notice.currency,
                paid_until=paid_period_end(notice.sale_timestamp or event.received_at, notice.recurrence)
                if notice.subscription_id and notice.kind is NoticeKind.SALE else None,
            )
        tier = None
        if notice.kind is NoticeKind.SUBSCRIPTION_UPDATED and notice.new_tier:
            mapping = self._catalog.resolve_option(event.source, notice.product_id, notice.new_tier)
            if mapping is not None and lic is not None and mapping.product.key != lic.product:
                mapping = None
            if mapping is None and strict:
                raise UnmappedTier(
                    f"subscription_updated: tier {notice.new_tier!r} of product_id {notice.product_id!r} "
                    "is not mapped in the catalog; map it, then replay this event"
                )
            tier = mapping.tier if mapping else None
        return Fact(event_id=event.id, kind=notice.kind, at=notice.occurred_at, arrived=event.received_at, tier=tier)

    async def _mint(self, uow: UnitOfWork, event: Event, notice: Notice, steps: list[Step]) -> Applied:
        if not steps or not isinstance(notice, SaleNotice) or notice.kind is not NoticeKind.SALE:
            return Applied(code=OutcomeCode.RECORDED, message=_no_license(notice))
        now = self._clock.now()
        mapping = self._catalog.resolve(event.source, notice.product_id, notice.variants)
        assert mapping is not None  # checked by _fact(strict=True)
        birth, last = steps[0], steps[-1].standing
        lic, entry = License.issue(
            id=self._ids.new_id("lic"), source=event.source, order_id=notice.sale_id,
            product=mapping.product.key, tier=last.tier, quantity=last.quantity, email=notice.email,
            licensee=notice.licensee, test=notice.test, subscription_id=notice.subscription_id,
            price_cents=last.price_cents, currency=last.currency,
            gifted_by=notice.gifter_email if notice.is_gift_receiver_purchase else None,
            status=birth.standing.status, status_reason=_reason(birth.standing),
            generation=last.generation, sign=self._signer.sign, now=now, paid_until=last.paid_until,
            key_name=mapping.product.key_name,
            actor=Actor.event(birth.fact.event_id),
            reason=Reason.MINTED.value + (" (test purchase)" if notice.test else "") + _terms(last),
        )
        entries, applied = [entry], []
        for step in steps[1:]:
            if step.standing.status is not lic.status:
                reason = _reason(step.standing) or reinstated_by(step.fact.kind)
                lic, entry = lic.follow(step.standing.status, reason, Actor.event(step.fact.event_id), now)
                entries.append(entry)
                applied.append(f"{step.fact.kind.value} {step.fact.event_id}")
        await uow.licenses.add(lic)
        for entry in entries:
            await uow.history.add(entry)
        emailed = await self._email_if_due(uow, lic, now, fresh=True)
        if lic.status is LicenseStatus.ACTIVE and not applied:
            return Applied(code=OutcomeCode.MINTED, message=f"minted {lic.id}")
        earlier = f": earlier {', '.join(applied)}" if applied else ""
        return Applied(
            code=OutcomeCode.MINTED,
            message=f"minted {lic.id} {lic.status.value}{earlier}" + ("" if emailed else "; no email"),
        )

    async def _follow(
        self, uow: UnitOfWork, event: Event, notice: Notice, lic: License,
        before: Standing | None, after: Standing | None,
    ) -> Applied:
        if after is None or before == after:
            return _unchanged(notice, lic)
        now = self._clock.now()
        actor = Actor.event(event.id)
        changed, said = lic, []
        # Only what this event changed in the standing is applied: an operator's own change
        # (a status, a seat count) stays until the events change that part again.
        terms_moved = before is None or (before.terms, before.generation) != (after.terms, after.generation)
        status_moved = before is None or (before.status, before.reason) != (after.status, after.reason)
        if terms_moved and (after.tier.key, after.seats, after.generation) != (lic.tier, lic.seats, lic.key_generation):
            product = self._catalog.product(lic.product)
            changed, entry = changed.rekey(tier=after.tier, quantity=after.quantity, generation=after.generation,
                                           sign=self._signer.sign, now=now, actor=actor,
                                           key_name=product.key_name if product else True)
            await uow.history.add(entry)
            said.append(entry.reason)
        if status_moved and after.status is not changed.status:
            reason = _reason(after) or reinstated_by(notice.kind)
            changed, entry = changed.follow(after.status, reason, actor, now)
            await uow.history.add(entry)
            said.append(f"{lic.status.value} → {after.status.value} ({reason})")
        changed = replace(changed, price_cents=after.price_cents, currency=after.currency, paid_until=after.paid_until)
        if changed == lic:
            return _unchanged(notice, lic)
        await uow.licenses.update(changed)
        await self._email_if_due(uow, changed, now)
        if not said:  # a renewal extending the paid period, say
            return Applied(code=OutcomeCode.CHANGED, message=_unchanged(notice, lic).message)
        return Applied(code=OutcomeCode.CHANGED, message=f"{lic.id} {'; '.join(said)}")

    async def _email_if_due(self, uow: UnitOfWork, lic: License, now: datetime, *, fresh: bool = False) -> bool:
        return await settle_outbox(uow, lic, ids=self._ids, now=now, fresh=fresh)


def _terms(standing: Standing) -> str:
    return (f"; quantity {standing.quantity}, price_cents {standing.price_cents}, "
            f"currency {standing.currency or 'unknown'}")


def _reason(standing: Standing) -> str | None:
    return standing.reason.value if standing.reason else None


def _unmapped_product(sale: SaleNotice) -> str:
    variants = ", ".join(f"{k}={v}" for k, v in sorted(sale.variants.items()))
    return (
        f"product_id {sale.product_id!r}" + (f" ({sale.product_name})" if sale.product_name else "")
        + (f" with variants {variants}" if variants else "") + " is not in the catalog"
    )


def _no_license(notice: Notice) -> str:
    kind = notice.kind.value
    if isinstance(notice, SaleNotice):
        partial = " (partial: changes nothing)" if notice.kind is NoticeKind.REFUND and not notice.refunded else ""
        return (f"{kind}{partial} recorded; no license for sale {notice.sale_id} "
                "(if its sale arrives later, this applies then)")
    return f"{kind} recorded; no license for subscription {notice.subscription_id}"


def _unchanged(notice: Notice, lic: License) -> Applied:
    kind = notice.kind.value
    if isinstance(notice, SaleNotice) and notice.kind is NoticeKind.SALE:
        if notice.sale_id == lic.order_id:
            return Applied(code=OutcomeCode.DUPLICATE, message=f"duplicate of {lic.id}")
        return Applied(code=OutcomeCode.UNCHANGED, message=f"renewal recorded against {lic.id}")
    if isinstance(notice, SubscriptionNotice) and notice.kind is NoticeKind.CANCELLATION:
        until = notice.occurred_at.isoformat() if notice.occurred_at else "the end of the paid period"
        return Applied(
            code=OutcomeCode.UNCHANGED,
            message=f"cancellation recorded for {lic.id}; access continues until {until}, "
            "when subscription_ended revokes it",
        )
    if isinstance(notice, SubscriptionNotice) and notice.kind is NoticeKind.SUBSCRIPTION_UPDATED and not notice.new_tier:
        return Applied(code=OutcomeCode.UNCHANGED, message=f"subscription_updated recorded for {lic.id}; no tier given")
    partial = " (partial refund)" if isinstance(notice, SaleNotice) and kind == "refund" and not notice.refunded else ""
    return Applied(code=OutcomeCode.UNCHANGED, message=f"{kind}{partial} recorded; {lic.id} stays {lic.status.value}")

