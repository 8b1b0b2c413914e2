"""MintLicense: an admin issues a license by hand (source `manual`).

Rules:
- The same catalog validation as a sale: an unknown product or tier is InvalidInput
  naming the field and the choices.
- The email must look like an address; seats are 1 to 10,000; the licensee defaults to
  the email's name.
- An order id may be given to make the call idempotent: minting the same (manual, order
  id) again returns the existing license and sends nothing.
- The license email is queued in the same transaction; the admin is the history's actor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.domain.catalog import Mapping
from core.domain.errors import InvalidInput
from core.domain.model import Actor, Delivery, License, LicenseStatus
from ports.catalog import Catalog
from ports.clock import Clock, IdGenerator
from ports.errors import AlreadyExists
from ports.signer import Signer
from ports.unit_of_work import UnitOfWorkFactory

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]+$")
MAX_SEATS = 10_000


@dataclass(frozen=True, slots=True, kw_only=True)
class MintLicenseCommand:
    product: str
    tier: str | None
    email: str
    admin: str
    licensee: str | None = None
    seats: int = 1
    test: bool = False
    order_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MintedLicense:
    license: License
    created: bool


class MintLicense:
    def __init__(
        self, *, uow: UnitOfWorkFactory, catalog: Catalog, signer: Signer, clock: Clock, ids: IdGenerator,
    ) -> None:
        self._uow = uow
        self._catalog = catalog
        self._signer = signer
        self._clock = clock
        self._ids = ids

    async def __call__(self, cmd: MintLicenseCommand) -> MintedLicense:
        mapping = self._mapping(cmd)
        email = cmd.email.strip()
        if not EMAIL.match(email):
            raise InvalidInput("email", f"{cmd.email!r} is not an email address")
        if not 1 <= cmd.seats <= MAX_SEATS:
            raise InvalidInput("seats", f"must be between 1 and {MAX_SEATS}")
        licensee = (cmd.licensee or "").strip() or email.split("@", 1)[0]
        if len(licensee) > 300:
            raise InvalidInput("licensee", "at most 300 characters")
        order_id = (cmd.order_id or "").strip() or self._ids.new_id("manual")
        if len(order_id) > 200:
            raise InvalidInput("order_id", "at most 200 characters")
        try:
            async with self._uow() as uow:
                now = self._clock.now()
                license, entry = License.issue(
                    id=self._ids.new_id("lic"), source="manual", order_id=order_id, product=mapping.product.key,
                    tier=mapping.tier, quantity=cmd.seats, email=email, licensee=licensee, test=cmd.test,
                    subscription_id=None, price_cents=None, currency=None, gifted_by=None,
                    status=LicenseStatus.ACTIVE, status_reason=None, generation=1, sign=self._signer.sign,
                    now=now, actor=Actor.admin(cmd.admin), reason="minted by hand", key_name=mapping.product.key_name,
                )
                await uow.licenses.add(license)
                await uow.history.add(entry)
                await uow.deliveries.add(Delivery.queue(id=self._ids.new_id("dlv"), license=license, now=now))
                await uow.commit()
        except AlreadyExists:
            async with self._uow() as uow:
                existing = await uow.licenses.get_by_order("manual", order_id)
            if existing is None:
                raise
            return MintedLicense(license=existing, created=False)
        return MintedLicense(license=license, created=True)

    def _mapping(self, cmd: MintLicenseCommand) -> Mapping:
        product = self._catalog.product(cmd.product)
        if product is None:
            known = ", ".join(sorted(self._catalog.product_keys()))
            raise InvalidInput("product", f"unknown product {cmd.product!r} (known: {known})")
        tier_key = cmd.tier or (next(iter(product.tiers)) if len(product.tiers) == 1 else None)
        if tier_key not in product.tiers:
            known = ", ".join(sorted(product.tiers))
            raise InvalidInput("tier", f"{cmd.tier!r} is not a tier of {product.key} (known: {known})")
        return Mapping(product=product, tier=product.tiers[tier_key])
