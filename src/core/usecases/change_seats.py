"""ChangeSeats: an operator sets how many machines a license may activate.

Rules:
- Seats are a whole number from 1 to 10000; an unknown license is NotFound.
- Lowering seats below the machines already active releases none of them: new activations
  are refused until enough are deactivated or lapse.
- The key is not re-signed: its `seats` claim keeps the count at issue, and the server's
  count is the one activation enforces.
- The change leaves a history row naming the operator and both counts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.domain.activation import ActivationAction, ActivationActor, ActivationRecord
from core.domain.errors import InvalidInput, NotFound
from core.domain.model import License
from ports.clock import Clock
from ports.unit_of_work import UnitOfWorkFactory

MAX_SEATS = 10_000


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeSeatsCommand:
    license_id: str
    seats: int
    admin: str


class ChangeSeats:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, cmd: ChangeSeatsCommand) -> License:
        if isinstance(cmd.seats, bool) or not isinstance(cmd.seats, int) or not 1 <= cmd.seats <= MAX_SEATS:
            raise InvalidInput("seats", f"a whole number from 1 to {MAX_SEATS}")
        async with self._uow() as uow:
            await uow.activations.lock_license(cmd.license_id)
            lic = await uow.licenses.get(cmd.license_id)
            if lic is None:
                raise NotFound(f"no license {cmd.license_id}")
            if lic.seats == cmd.seats:
                return lic
            now = self._clock.now()
            changed = replace(lic, seats=cmd.seats, updated_at=now)
            await uow.licenses.update(changed)
            await uow.activations.add_record(ActivationRecord(
                license_id=lic.id, at=now, action=ActivationAction.SEATS_CHANGED,
                actor_type=ActivationActor.OPERATOR, actor_id=cmd.admin, detail=f"seats {lic.seats} → {cmd.seats}",
            ))
            await uow.commit()
        return changed
