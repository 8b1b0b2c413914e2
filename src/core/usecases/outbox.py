"""Queueing a license email: shared by minting, reinstating, tier changes and resends."""

from __future__ import annotations

from datetime import datetime

from core.domain.model import Delivery, DeliveryStatus, License
from ports.clock import IdGenerator
from ports.unit_of_work import UnitOfWork


async def queue_license_email(
    uow: UnitOfWork, license: License, *, ids: IdGenerator, now: datetime
) -> Delivery:
    delivery = Delivery(
        id=ids.new_id("dlv"),
        license_id=license.id,
        recipient=license.email,
        status=DeliveryStatus.PENDING,
        created_at=now,
        next_attempt_at=now,
    )
    await uow.deliveries.add(delivery)
    return delivery
