"""ApplyLifecycle: refunds, disputes and subscription events change the license they concern.

Rules:
- A full refund (`refunded=true`) revokes; a partial refund is recorded and changes nothing.
- A dispute suspends; a won dispute reinstates a license that a dispute suspended (a
  refunded license stays revoked).
- A refund or dispute for a sale we never licensed (not yet, or never: an unmapped product)
  is recorded, not an error; when the sale arrives later, it is applied at minting, so
  that license is never active (see MintFromSale).
- Memberships: a cancellation is recorded (access continues until the end of the paid
  period); `subscription_ended` revokes; `subscription_restarted` reinstates a license
  that an ended subscription revoked; `subscription_updated` to a tier the catalog maps
  issues a key for the new tier on the same license and emails it.
- Events about one order or subscription are applied one at a time (`lock_order`), and
  applying one twice changes nothing more: every move is checked against the current
  status first.
- A license reinstated before any email went out (it was minted suspended or revoked)
  gets its first email now.
- Every change writes a history row naming the event that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from core.domain.keys import LicenseClaims
from core.domain.lifecycle import Actor, change, effect_of
from core.domain.model import HistoryEntry, License, LicenseStatus
from core.domain.notices import NoticeKind, SaleNotice, SubscriptionNotice
from core.usecases.outbox import queue_license_email
from ports.catalog import Catalog
from ports.clock import Clock, IdGenerator
from ports.signer import Signer
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from ports.wakeup import Wakeup


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplyLifecycleCommand:
    source: str
    notice: SaleNotice | SubscriptionNotice
    event_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LifecycleResult:
    outcome: str
    wake: bool = False


class ApplyLifecycle:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        catalog: Catalog,
        signer: Signer,
        clock: Clock,
        ids: IdGenerator,
        wakeup: Wakeup,
    ) -> None:
        self._uow = uow
        self._catalog = catalog
        self._signer = signer
        self._clock = clock
        self._ids = ids
        self._wakeup = wakeup

    async def __call__(self, cmd: ApplyLifecycleCommand) -> LifecycleResult:
        async with self._uow() as uow:
            result = await self.within(uow, cmd)
            await uow.commit()
        if result.wake:
            self._wakeup.notify()
        return result

    async def within(self, uow: UnitOfWork, cmd: ApplyLifecycleCommand) -> LifecycleResult:
        notice, kind = cmd.notice, cmd.notice.kind.value
        actor = Actor.event(cmd.event_id)
        if isinstance(notice, SaleNotice):
            await uow.licenses.lock_order(cmd.source, notice.sale_id)
            lic = await uow.licenses.get_by_order(cmd.source, notice.sale_id)
            if lic is None:
                partial = " (partial: changes nothing)" if notice.kind is NoticeKind.REFUND and not notice.refunded else ""
                return LifecycleResult(
                    outcome=f"{kind}{partial} recorded; no license for sale {notice.sale_id} "
                    "(if its sale arrives later, this applies then)"
                )
            return await self.apply(uow, lic, kind, actor, refunded=notice.refunded)

        await uow.licenses.lock_order(cmd.source, f"subscription:{notice.subscription_id}")
        lic = await self._subscription_license(uow, cmd.source, notice)
        if lic is None:
            return LifecycleResult(outcome=f"{kind} recorded; no license for subscription {notice.subscription_id}")
        if notice.kind is NoticeKind.CANCELLATION:
            until = notice.occurred_at.isoformat() if notice.occurred_at else "the end of the paid period"
            return LifecycleResult(
                outcome=f"cancellation recorded for {lic.id}; access continues until {until}, "
                "when subscription_ended revokes it"
            )
        if notice.kind is NoticeKind.SUBSCRIPTION_UPDATED:
            return await self._change_tier(uow, lic, notice, cmd.source, actor)
        return await self.apply(uow, lic, kind, actor)

    async def apply(
        self, uow: UnitOfWork, lic: License, kind: str, actor: Actor, *, refunded: bool = True
    ) -> LifecycleResult:
        """Applies one platform event to a license, inside the caller's unit of work."""
        effect = effect_of(kind, lic, refunded=refunded)
        if effect is None:
            partial = " (partial refund)" if kind == "refund" and not refunded else ""
            return LifecycleResult(outcome=f"{kind}{partial} recorded; {lic.id} stays {lic.status.value}")
        now = self._clock.now()
        moved = change(lic, effect[0], effect[1], actor, now)
        await uow.licenses.update(moved.license)
        await uow.history.add(moved.entry)
        wake = False
        if moved.license.status is LicenseStatus.ACTIVE and not await uow.deliveries.for_license(lic.id):
            await queue_license_email(uow, moved.license, ids=self._ids, now=now)
            wake = True
        return LifecycleResult(
            outcome=f"{lic.id} {lic.status.value} → {moved.license.status.value} ({effect[1]})", wake=wake
        )

    async def _subscription_license(
        self, uow: UnitOfWork, source: str, notice: SubscriptionNotice
    ) -> License | None:
        lic = await uow.licenses.get_by_subscription(source, notice.subscription_id)
        for sale_id in notice.purchase_ids if lic is None else ():
            lic = await uow.licenses.get_by_order(source, sale_id)
            if lic is not None:
                break
        return lic

    async def _change_tier(
        self, uow: UnitOfWork, lic: License, notice: SubscriptionNotice, source: str, actor: Actor
    ) -> LifecycleResult:
        if not notice.new_tier:
            return LifecycleResult(outcome=f"subscription_updated recorded for {lic.id}; no tier given")
        mapping = self._catalog.resolve_option(source, notice.product_id, notice.new_tier)
        if mapping is None or mapping.product.key != lic.product:
            return LifecycleResult(
                outcome=f"subscription_updated recorded for {lic.id}; tier {notice.new_tier!r} "
                "is not mapped in the catalog, license unchanged"
            )
        if mapping.tier.key == lic.tier:
            return LifecycleResult(outcome=f"subscription_updated recorded; {lic.id} already on {lic.tier}")
        now = self._clock.now()
        expires_at = now + timedelta(days=mapping.tier.expires_after_days) if mapping.tier.expires_after_days else None
        signed = self._signer.sign(
            LicenseClaims(
                lid=lic.id, product=lic.product, tier=mapping.tier.key, seats=lic.seats,
                name=mapping.product.name_in_key(lic.licensee),
                iat=int(now.timestamp()), exp=int(expires_at.timestamp()) if expires_at else None, test=lic.test,
            )
        )
        updated = replace(
            lic, tier=mapping.tier.key, key=signed.key, kid=signed.kid, issued_at=now,
            expires_at=expires_at, updated_at=now,
        )
        await uow.licenses.update(updated)
        reason = f"tier changed {lic.tier} → {mapping.tier.key}; new key issued"
        await uow.history.add(
            HistoryEntry(license_id=lic.id, at=now, from_status=lic.status, to_status=lic.status,
                         reason=reason, actor_type=actor.type, actor_id=actor.id)
        )
        wake = lic.status is LicenseStatus.ACTIVE
        if wake:
            await queue_license_email(uow, updated, ids=self._ids, now=now)
        return LifecycleResult(outcome=f"{lic.id}: {reason}", wake=wake)
