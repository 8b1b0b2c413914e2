"""The in-memory repository of machine activations, on the memory store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.domain.activation import Activation, ActivationRecord
from ports.errors import AlreadyExists

if TYPE_CHECKING:
    from adapters.memory.unit_of_work import MemoryStore


class MemoryActivationRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    async def lock_license(self, license_id: str) -> None:
        pass  # units of work already run one at a time

    async def add(self, activation: Activation) -> None:
        if activation.id in self._s.activations or await self.for_machine(activation.license_id, activation.machine):
            raise AlreadyExists(f"activation of {activation.machine} on {activation.license_id}")
        self._s.activations[activation.id] = activation

    async def get(self, activation_id: str) -> Activation | None:
        return self._s.activations.get(activation_id)

    async def for_machine(self, license_id: str, machine: str) -> Activation | None:
        return next(
            (a for a in self._s.activations.values() if a.license_id == license_id and a.machine == machine), None
        )

    async def for_license(self, license_id: str) -> Sequence[Activation]:
        found = [a for a in self._s.activations.values() if a.license_id == license_id]
        return sorted(found, key=lambda a: (a.activated_at, a.id))

    async def update(self, activation: Activation) -> None:
        if activation.id in self._s.activations:
            self._s.activations[activation.id] = activation

    async def remove(self, activation_id: str) -> bool:
        return self._s.activations.pop(activation_id, None) is not None

    async def add_record(self, record: ActivationRecord) -> None:
        self._s.activation_records.append(record)

    async def records(self, license_id: str) -> Sequence[ActivationRecord]:
        return [r for r in self._s.activation_records if r.license_id == license_id]
