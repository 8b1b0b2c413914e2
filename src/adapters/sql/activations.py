"""The SQL repository of machine activations and their history."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.sql import mapping
from adapters.sql.direct import Connection, Prepared
from adapters.sql.tables import activation_history, activations, licenses
from core.domain.activation import Activation, ActivationRecord

_INSERT = Prepared(activations.insert())
_INSERT_RECORD = Prepared(activation_history.insert())
_BY_ID = Prepared(activations.select().where(activations.c.id == sa.bindparam("b_id")))
_BY_MACHINE = Prepared(activations.select().where(
    activations.c.license_id == sa.bindparam("b_license"), activations.c.machine == sa.bindparam("b_machine")
))
_FOR_LICENSE = Prepared(
    activations.select()
    .where(activations.c.license_id == sa.bindparam("b_license"))
    .order_by(activations.c.activated_at, activations.c.id)
)
_UPDATE = Prepared(activations.update().where(activations.c.id == sa.bindparam("b_id")))
_DELETE = Prepared(activations.delete().where(activations.c.id == sa.bindparam("b_id")))
_RECORDS = Prepared(
    activation_history.select()
    .where(activation_history.c.license_id == sa.bindparam("b_license"))
    .order_by(activation_history.c.id)
)
_LOCK_LICENSE = Prepared(sa.select(licenses.c.id).where(licenses.c.id == sa.bindparam("b_id")).with_for_update())


class SqlActivationRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def lock_license(self, license_id: str) -> None:
        if self._conn.dialect.name == "postgresql":
            await self._conn.execute(_LOCK_LICENSE, {"b_id": license_id})
        # SQLite: BEGIN IMMEDIATE and the factory's turn already serialise every writer

    async def add(self, activation: Activation) -> None:
        await self._conn.execute(_INSERT, mapping.activation_to_row(activation))

    async def get(self, activation_id: str) -> Activation | None:
        row = (await self._conn.execute(_BY_ID, {"b_id": activation_id})).first()
        return mapping.activation_from_row(row) if row else None

    async def for_machine(self, license_id: str, machine: str) -> Activation | None:
        row = (await self._conn.execute(_BY_MACHINE, {"b_license": license_id, "b_machine": machine})).first()
        return mapping.activation_from_row(row) if row else None

    async def for_license(self, license_id: str) -> Sequence[Activation]:
        rows = await self._conn.execute(_FOR_LICENSE, {"b_license": license_id})
        return [mapping.activation_from_row(r) for r in rows]

    async def update(self, activation: Activation) -> None:
        row = mapping.activation_to_row(activation)
        row.pop("id")
        await self._conn.execute(_UPDATE, {**row, "b_id": activation.id})

    async def remove(self, activation_id: str) -> bool:
        result = await self._conn.execute(_DELETE, {"b_id": activation_id})
        return bool(result.rowcount == 1)

    async def add_record(self, record: ActivationRecord) -> None:
        await self._conn.execute(_INSERT_RECORD, mapping.activation_record_to_row(record))

    async def records(self, license_id: str) -> Sequence[ActivationRecord]:
        rows = await self._conn.execute(_RECORDS, {"b_license": license_id})
        return [mapping.activation_record_from_row(r) for r in rows]
