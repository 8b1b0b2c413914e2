"""RetryDelivery: an admin puts a dead delivery back in the queue.

Rules:
- Only a dead delivery can be retried (a sent or pending one is InvalidInput naming its
  status); it becomes pending, due now, with its attempts counted afresh.
- Its earlier attempts stay on record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.domain.errors import NotFound
from core.domain.model import Delivery, DeliveryStatus, IllegalTransition
from ports.clock import Clock
from ports.unit_of_work import UnitOfWorkFactory
from ports.wakeup import Wakeup


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryDeliveryCommand:
    delivery_id: str
    admin: str


class RetryDelivery:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, wakeup: Wakeup) -> None:
        self._uow = uow
        self._clock = clock
        self._wakeup = wakeup

    async def __call__(self, cmd: RetryDeliveryCommand) -> Delivery:
        async with self._uow() as uow:
            delivery = await uow.deliveries.get(cmd.delivery_id)
            if delivery is None:
                raise NotFound(f"no delivery {cmd.delivery_id}")
            if delivery.status is not DeliveryStatus.DEAD:
                raise IllegalTransition(
                    f"delivery {delivery.id} is {delivery.status.value}; only a dead delivery can be retried"
                )
            retried = replace(
                delivery, status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=self._clock.now(),
                lease_until=None, worker_id=None,
                last_error=f"retried by {cmd.admin} after: {delivery.last_error}",
            )
            await uow.deliveries.update(retried)
            uow.after_commit(self._wakeup.notify)
            await uow.commit()
        return retried
