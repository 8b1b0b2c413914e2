"""ListActivations: the operator's view of a license's machines and their history.

Rules:
- An unknown license is NotFound, naming it.
- Machines oldest first; the history oldest first, with every actor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.activation import Activation, ActivationRecord
from core.domain.errors import NotFound
from core.domain.model import License
from ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True, kw_only=True)
class ListActivationsCommand:
    license_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenseActivations:
    license: License
    activations: Sequence[Activation]
    history: Sequence[ActivationRecord]


class ListActivations:
    def __init__(self, *, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, cmd: ListActivationsCommand) -> LicenseActivations:
        async with self._uow() as uow:
            lic = await uow.licenses.get(cmd.license_id)
            if lic is None:
                raise NotFound(f"no license {cmd.license_id}")
            return LicenseActivations(
                license=lic,
                activations=await uow.activations.for_license(lic.id),
                history=await uow.activations.records(lic.id),
            )
