"""Keeping a license's outbox in step with the license, shared by the ledger and the
admin's status changes: what is waiting but no longer right is withdrawn, and the email
the license now calls for (License.email_due) is queued."""

from __future__ import annotations

from datetime import datetime

from core.domain.model import Delivery, License
from ports.clock import IdGenerator
from ports.unit_of_work import UnitOfWork


async def settle_outbox(
    uow: UnitOfWork, lic: License, *, ids: IdGenerator, now: datetime, fresh: bool = False
) -> bool:
    """Answers whether an email was queued. `fresh`: the license was added in this unit of
    work, so it has no deliveries yet (a read spared on every sale)."""
    deliveries = [] if fresh else list(await uow.deliveries.for_license(lic.id))
    for i, delivery in enumerate(deliveries):
        if delivery.outdated_by(lic, now):
            deliveries[i] = delivery.withdraw()
            await uow.deliveries.update(deliveries[i])
    if not lic.email_due(deliveries):
        return False
    await uow.deliveries.add(Delivery.queue(id=ids.new_id("dlv"), license=lic, now=now))
    return True
