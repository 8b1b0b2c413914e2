"""Minting one license: sign its key, write it and its first history row. Shared by
MintFromSale (a platform's sale) and MintLicense (an admin)."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.domain.catalog import Mapping
from core.domain.keys import LicenseClaims
from core.domain.lifecycle import Actor
from core.domain.model import HistoryEntry, License, LicenseStatus
from ports.clock import Clock, IdGenerator
from ports.signer import Signer
from ports.unit_of_work import UnitOfWork


async def mint_license(
    uow: UnitOfWork,
    *,
    source: str,
    order_id: str,
    mapping: Mapping,
    seats: int,
    email: str,
    licensee: str,
    test: bool,
    subscription_id: str | None,
    actor: Actor,
    paid_until: datetime | None = None,
    reason: str,
    signer: Signer,
    clock: Clock,
    ids: IdGenerator,
) -> License:
    """Adds the license (AlreadyExists when (source, order_id) has one) and its history row."""
    now = clock.now()
    license_id = ids.new_id("lic")
    days = mapping.tier.expires_after_days
    expires_at = now + timedelta(days=days) if days else None
    signed = signer.sign(
        LicenseClaims(
            lid=license_id,
            product=mapping.product.key,
            tier=mapping.tier.key,
            seats=seats,
            name=mapping.product.name_in_key(licensee),
            iat=int(now.timestamp()),
            exp=int(expires_at.timestamp()) if expires_at else None,
            test=test,
        )
    )
    license = License(
        id=license_id,
        source=source,
        order_id=order_id,
        product=mapping.product.key,
        tier=mapping.tier.key,
        seats=seats,
        email=email,
        licensee=licensee,
        test=test,
        status=LicenseStatus.ACTIVE,
        key=signed.key,
        kid=signed.kid,
        issued_at=now,
        expires_at=expires_at,
        subscription_id=subscription_id,
        paid_until=paid_until,
        created_at=now,
        updated_at=now,
    )
    await uow.licenses.add(license)
    await uow.history.add(
        HistoryEntry(
            license_id=license_id, at=now, from_status=None, to_status=LicenseStatus.ACTIVE,
            reason=reason, actor_type=actor.type, actor_id=actor.id,
        )
    )
    return license
