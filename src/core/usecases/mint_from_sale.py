"""MintFromSale: a paid sale becomes exactly one signed license and one queued email.

Rules:
- The catalog decides the product and tier from (source, product id, variant options);
  a product it does not know is an UnmappedProduct error naming the product id.
- One license per (source, order id). The store's unique rule is the final arbiter: a
  concurrent duplicate loses with AlreadyExists and is retried by the caller, which then
  finds the existing license.
- A duplicate or retried ping returns the existing license and queues nothing.
- A preorder authorisation mints nothing: the real charge arrives later as its own sale.
- A membership renewal (a recurring charge on a subscription we already license) mints
  nothing and is recorded against the existing license.
- A membership sale or renewal records the end of the period it paid for (`paid_until`,
  which caps machine leases).
- `quantity` becomes seats; a test purchase mints a license tagged test; a gift licenses
  the receiver (the ping's email).
- Refunds and disputes of this sale that arrived before it (`earlier`) are applied at once,
  each with its own history row: such a license is minted and immediately revoked or
  suspended, and no email goes out unless it ends active.
- The license, its history rows and its delivery are written in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.domain.activation import paid_period_end
from core.domain.errors import UnmappedProduct
from core.domain.lifecycle import Actor, change, effect_of
from core.domain.model import ActorType, License, LicenseStatus
from core.domain.notices import SaleNotice
from core.usecases.minting import mint_license
from core.usecases.outbox import queue_license_email
from ports.catalog import Catalog
from ports.clock import Clock, IdGenerator
from ports.signer import Signer
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from ports.wakeup import Wakeup


@dataclass(frozen=True, slots=True, kw_only=True)
class EarlierEvent:
    """A refund, dispute or won dispute of this sale that was recorded before the sale."""

    event_id: str
    kind: str
    refunded: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class MintFromSaleCommand:
    source: str
    sale: SaleNotice
    event_id: str | None = None
    earlier: tuple[EarlierEvent, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MintResult:
    outcome: str
    license: License | None = None
    minted: bool = False


class MintFromSale:
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

    async def __call__(self, cmd: MintFromSaleCommand) -> MintResult:
        async with self._uow() as uow:
            await uow.licenses.lock_order(cmd.source, cmd.sale.sale_id)
            result = await self.within(uow, cmd)
            await uow.commit()
        if result.minted:
            self._wakeup.notify()
        return result

    async def within(self, uow: UnitOfWork, cmd: MintFromSaleCommand) -> MintResult:
        """The same work inside a unit of work the caller owns and commits, holding the
        order's lock (`lock_order`); the caller then calls `wake()` when `minted` is true."""
        sale = cmd.sale
        if sale.is_preorder_authorization:
            return MintResult(outcome="preorder authorisation: no license until the charge")

        existing = await uow.licenses.get_by_order(cmd.source, sale.sale_id)
        if existing is not None:
            return MintResult(outcome=f"duplicate of {existing.id}", license=existing)

        if sale.is_recurring_charge and sale.subscription_id:
            current = await uow.licenses.get_by_subscription(cmd.source, sale.subscription_id)
            if current is not None:
                paid = paid_period_end(sale.sale_timestamp or self._clock.now(), sale.recurrence)
                if paid is not None and (current.paid_until is None or paid > current.paid_until):
                    current = replace(current, paid_until=paid)
                    await uow.licenses.update(current)
                return MintResult(outcome=f"renewal recorded against {current.id}", license=current)

        mapping = self._catalog.resolve(cmd.source, sale.product_id, sale.variants)
        if mapping is None:
            variants = ", ".join(f"{k}={v}" for k, v in sorted(sale.variants.items()))
            raise UnmappedProduct(
                f"product_id {sale.product_id!r}" + (f" ({sale.product_name})" if sale.product_name else "")
                + (f" with variants {variants}" if variants else "")
                + " is not in the catalog"
            )

        now = self._clock.now()
        license = await mint_license(
            uow,
            source=cmd.source,
            order_id=sale.sale_id,
            mapping=mapping,
            seats=sale.seats,
            email=sale.email,
            licensee=sale.licensee,
            test=sale.test,
            subscription_id=sale.subscription_id,
            paid_until=(
                paid_period_end(sale.sale_timestamp or now, sale.recurrence) if sale.subscription_id else None
            ),
            actor=Actor.event(cmd.event_id) if cmd.event_id else Actor(type=ActorType.SYSTEM, id=None),
            reason="minted from sale" + (" (test purchase)" if sale.test else ""),
            signer=self._signer,
            clock=self._clock,
            ids=self._ids,
        )
        license_id = license.id
        applied = []
        for earlier in cmd.earlier:
            effect = effect_of(earlier.kind, license, refunded=earlier.refunded)
            if effect is not None:
                moved = change(license, effect[0], effect[1], Actor.event(earlier.event_id), now)
                license = moved.license
                await uow.history.add(moved.entry)
                applied.append(f"{earlier.kind} {earlier.event_id}")
        if applied:
            await uow.licenses.update(license)
        if license.status is not LicenseStatus.ACTIVE:
            return MintResult(
                outcome=f"minted {license_id} {license.status.value}: earlier {', '.join(applied)}; no email",
                license=license,
            )
        await queue_license_email(uow, license, ids=self._ids, now=now)
        return MintResult(outcome=f"minted {license_id}", license=license, minted=True)

    def wake(self) -> None:
        self._wakeup.notify()
