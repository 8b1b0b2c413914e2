"""The buyer's portal: the licenses of one address, and freeing one of their machines' seats.

Rules:
- The address comes from a verified portal link; licenses are matched case-insensitively.
- A buyer frees a seat only on a license bought with that address; any other license or
  machine is NotFound (the answer does not tell whether it exists).
- The deactivation leaves a history row with the buyer as actor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.activation import Activation, ActivationAction, ActivationActor, ActivationRecord
from core.domain.errors import NotFound
from core.domain.model import License
from ports.clock import Clock
from ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True, kw_only=True)
class BuyerLicensesCommand:
    email: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BuyerLicense:
    license: License
    activations: Sequence[Activation]


class BuyerLicenses:
    def __init__(self, *, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, cmd: BuyerLicensesCommand) -> list[BuyerLicense]:
        async with self._uow() as uow:
            found = []
            for lic in await uow.licenses.for_email(cmd.email):
                found.append(BuyerLicense(license=lic, activations=await uow.activations.for_license(lic.id)))
        return found


@dataclass(frozen=True, slots=True, kw_only=True)
class BuyerReleaseCommand:
    email: str
    license_id: str
    activation_id: str


class BuyerReleaseMachine:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, cmd: BuyerReleaseCommand) -> Activation:
        async with self._uow() as uow:
            await uow.activations.lock_license(cmd.license_id)
            lic = await uow.licenses.get(cmd.license_id)
            if lic is None or lic.email.strip().lower() != cmd.email.strip().lower():
                raise NotFound("no such machine on your licenses")
            held = [a for a in await uow.activations.for_license(lic.id) if a.id == cmd.activation_id]
            if not held:
                raise NotFound("no such machine on your licenses")
            [activation] = held
            await uow.activations.remove(activation.id)
            await uow.activations.add_record(ActivationRecord(
                license_id=lic.id, at=self._clock.now(), action=ActivationAction.DEACTIVATED,
                actor_type=ActivationActor.BUYER, activation_id=activation.id, machine=activation.machine,
                detail="portal",
            ))
            await uow.commit()
        return activation
