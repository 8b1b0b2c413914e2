"""ReleaseActivations: an operator deactivates one machine of a license, or all of them.

Rules:
- An unknown license, or a machine that is not one of the license's, is NotFound.
- Each freed seat leaves a history row naming the operator.
- Resetting a license with no machines releases nothing and is not an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.activation import ActivationAction, ActivationActor, ActivationRecord
from core.domain.errors import NotFound
from ports.clock import Clock
from ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseActivationsCommand:
    license_id: str
    admin: str
    activation_id: str | None = None
    """None releases every machine of the license."""


class ReleaseActivations:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, cmd: ReleaseActivationsCommand) -> int:
        async with self._uow() as uow:
            await uow.activations.lock_license(cmd.license_id)
            lic = await uow.licenses.get(cmd.license_id)
            if lic is None:
                raise NotFound(f"no license {cmd.license_id}")
            held = await uow.activations.for_license(lic.id)
            if cmd.activation_id is not None:
                held = [a for a in held if a.id == cmd.activation_id]
                if not held:
                    raise NotFound(f"no activation {cmd.activation_id} on license {lic.id}")
            now = self._clock.now()
            for activation in held:
                await uow.activations.remove(activation.id)
                await uow.activations.add_record(ActivationRecord(
                    license_id=lic.id, at=now, action=ActivationAction.DEACTIVATED,
                    actor_type=ActivationActor.OPERATOR, actor_id=cmd.admin, activation_id=activation.id,
                    machine=activation.machine, detail="reset" if cmd.activation_id is None else None,
                ))
            await uow.commit()
        return len(held)
