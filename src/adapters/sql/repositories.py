"""The repositories of the SQL unit of work. Each runs statements on the unit's connection."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa

from adapters.sql import mapping
from adapters.sql.direct import Connection, Prepared
from adapters.sql.tables import delivery_attempts, deliveries, events, license_history, licenses, reconciliation
from core.domain.model import Delivery, DeliveryAttempt, DeliveryStatus, Event, HistoryEntry, License
from core.domain.queries import DeliveryFilter, EventFilter, LicenseFilter, Page, PageRequest, page_of
from core.domain.sales import ReconcilePoint


T = TypeVar("T")

# Built once: values travel as parameters, so SQLAlchemy compiles each statement once.
_INSERT_EVENT = Prepared(events.insert())
_INSERT_LICENSE = Prepared(licenses.insert())
_INSERT_HISTORY = Prepared(license_history.insert())
_INSERT_DELIVERY = Prepared(deliveries.insert())
_INSERT_ATTEMPT = Prepared(delivery_attempts.insert())
_EVENT_BY_ID = Prepared(events.select().where(events.c.id == sa.bindparam("b_id")))
_UPDATE_EVENT = Prepared(events.update().where(events.c.id == sa.bindparam("b_id")))
_UPDATE_LICENSE = Prepared(licenses.update().where(licenses.c.id == sa.bindparam("b_id")))
_EVENTS_FOR_EXTERNAL_ID = Prepared(
    events.select()
    .where(events.c.source == sa.bindparam("b_source"), events.c.external_id == sa.bindparam("b_external"))
    .order_by(events.c.received_at, events.c.id)
)
_DELIVERIES_FOR_LICENSE = Prepared(
    deliveries.select()
    .where(deliveries.c.license_id == sa.bindparam("b_license"))
    .order_by(deliveries.c.created_at, deliveries.c.id)
)
_LICENSE_BY_ID = Prepared(licenses.select().where(licenses.c.id == sa.bindparam("b_id")))
_LICENSE_BY_ORDER = Prepared(
    licenses.select()
    .where(licenses.c.source == sa.bindparam("b_source"), licenses.c.order_id == sa.bindparam("b_order"))
)
_LICENSE_BY_SUBSCRIPTION = Prepared(
    licenses.select()
    .where(licenses.c.source == sa.bindparam("b_source"), licenses.c.subscription_id == sa.bindparam("b_sub"))
    .order_by(licenses.c.created_at, licenses.c.id)
    .limit(1)
)


async def _page(conn: Connection, table: sa.Table, at: sa.Column[Any], conditions: list[Any],
                page: PageRequest, to_domain: Callable[[Any], T], key: Callable[[T], tuple[datetime, str]]) -> Page[T]:
    """Keyset pagination, newest first: (at, id) below the cursor."""
    if page.after is not None:
        conditions = [*conditions, sa.or_(
            at < page.after.at, sa.and_(at == page.after.at, table.c.id < page.after.id))]
    query = table.select().where(*conditions).order_by(at.desc(), table.c.id.desc()).limit(page.limit + 1)
    items = [to_domain(r) for r in await conn.execute(query)]
    return page_of(items, page, key)


def _value(choice: enum.Enum | None) -> object:
    return choice.value if choice is not None else None


class SqlEventRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, event: Event) -> None:
        await self._conn.execute(_INSERT_EVENT, mapping.event_to_row(event))

    async def get(self, event_id: str) -> Event | None:
        row = (await self._conn.execute(_EVENT_BY_ID, {"b_id": event_id})).first()
        return mapping.event_from_row(row) if row else None

    async def for_external_id(self, source: str, external_id: str) -> Sequence[Event]:
        rows = await self._conn.execute(_EVENTS_FOR_EXTERNAL_ID, {"b_source": source, "b_external": external_id})
        return [mapping.event_from_row(r) for r in rows]

    async def search(self, where: EventFilter, page: PageRequest) -> Page[Event]:
        conditions = [
            column == value
            for column, value in ((events.c.source, where.source), (events.c.kind, _value(where.kind)),
                                  (events.c.status, _value(where.status)), (events.c.origin, _value(where.origin)))
            if value is not None
        ]
        return await _page(self._conn, events, events.c.received_at, conditions, page,
                           mapping.event_from_row, lambda e: (e.received_at, e.id))

    async def update(self, event: Event) -> None:
        row = mapping.event_to_row(event)
        for immutable in ("id", "body", "source", "content_type", "received_at"):
            row.pop(immutable)
        await self._conn.execute(_UPDATE_EVENT, {**row, "b_id": event.id})


class SqlLicenseRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, license: License) -> None:
        await self._conn.execute(_INSERT_LICENSE, mapping.license_to_row(license))

    async def get(self, license_id: str) -> License | None:
        return await self._one(_LICENSE_BY_ID, {"b_id": license_id})

    async def get_by_order(self, source: str, order_id: str) -> License | None:
        return await self._one(_LICENSE_BY_ORDER, {"b_source": source, "b_order": order_id})

    async def get_by_subscription(self, source: str, subscription_id: str) -> License | None:
        return await self._one(_LICENSE_BY_SUBSCRIPTION, {"b_source": source, "b_sub": subscription_id})

    async def for_email(self, email: str) -> Sequence[License]:
        query = (
            licenses.select()
            .where(sa.func.lower(licenses.c.email) == sa.bindparam("b_email", email.strip().lower()))
            .order_by(licenses.c.created_at, licenses.c.id)
        )
        return [mapping.license_from_row(r) for r in await self._conn.execute(query)]

    async def search(self, where: LicenseFilter, page: PageRequest) -> Page[License]:
        c = licenses.c
        conditions = [
            column == value
            for column, value in ((c.status, _value(where.status)), (c.product, where.product),
                                  (c.source, where.source), (c.test, where.test))
            if value is not None
        ]
        if where.email is not None:
            conditions.append(sa.func.lower(c.email) == sa.bindparam("b_email", where.email.strip().lower()))
        if where.created_from is not None:
            conditions.append(c.created_at >= where.created_from)
        if where.created_to is not None:
            conditions.append(c.created_at < where.created_to)
        return await _page(self._conn, licenses, c.created_at, conditions, page,
                           mapping.license_from_row, lambda x: (x.created_at, x.id))

    async def update(self, license: License) -> None:
        row = mapping.license_to_row(license)
        row.pop("id")
        await self._conn.execute(_UPDATE_LICENSE, {**row, "b_id": license.id})

    async def _one(self, query: Any, params: dict[str, Any]) -> License | None:
        row = (await self._conn.execute(query, params)).first()
        return mapping.license_from_row(row) if row else None


class SqlHistoryRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, entry: HistoryEntry) -> None:
        await self._conn.execute(_INSERT_HISTORY, mapping.history_to_row(entry))

    async def for_license(self, license_id: str) -> Sequence[HistoryEntry]:
        query = (
            license_history.select()
            .where(license_history.c.license_id == license_id)
            .order_by(license_history.c.id)
        )
        return [mapping.history_from_row(r) for r in await self._conn.execute(query)]


class SqlDeliveryRepository:
    def __init__(self, conn: Connection, on_add: Callable[[], None] = lambda: None) -> None:
        self._conn = conn
        self._on_add = on_add

    async def add(self, delivery: Delivery) -> None:
        await self._conn.execute(_INSERT_DELIVERY, mapping.delivery_to_row(delivery))
        self._on_add()

    async def get(self, delivery_id: str) -> Delivery | None:
        query = deliveries.select().where(deliveries.c.id == delivery_id)
        row = (await self._conn.execute(query)).first()
        return mapping.delivery_from_row(row) if row else None

    async def for_license(self, license_id: str) -> Sequence[Delivery]:
        rows = await self._conn.execute(_DELIVERIES_FOR_LICENSE, {"b_license": license_id})
        return [mapping.delivery_from_row(r) for r in rows]

    async def search(self, where: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        conditions = [
            column == value
            for column, value in ((deliveries.c.status, _value(where.status)),
                                  (deliveries.c.license_id, where.license_id))
            if value is not None
        ]
        return await _page(self._conn, deliveries, deliveries.c.created_at, conditions, page,
                           mapping.delivery_from_row, lambda d: (d.created_at, d.id))

    async def claim_due(
        self, *, now: datetime, lease_until: datetime, worker_id: str, limit: int
    ) -> Sequence[Delivery]:
        due = (
            sa.select(deliveries.c.id)
            .where(
                deliveries.c.status == DeliveryStatus.PENDING.value,
                deliveries.c.next_attempt_at <= now,
                sa.or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < now),
            )
            .order_by(deliveries.c.next_attempt_at)
            .limit(limit)
        )
        if self._conn.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = [r.id for r in await self._conn.execute(due)]
        if not ids:
            return []
        claimed = await self._conn.execute(
            deliveries.update()
            .where(deliveries.c.id.in_(ids))
            .values(
                lease_until=lease_until,
                worker_id=worker_id,
                attempts=deliveries.c.attempts + 1,
            )
            .returning(*deliveries.c)
        )
        rows = sorted(claimed, key=lambda r: (r.next_attempt_at, r.id))
        return [mapping.delivery_from_row(r) for r in rows]

    async def update(self, delivery: Delivery, *, claimed_by: str | None = None) -> bool:
        query = deliveries.update().where(deliveries.c.id == delivery.id)
        if claimed_by is not None:
            query = query.where(deliveries.c.worker_id == claimed_by)
        row = mapping.delivery_to_row(delivery)
        row.pop("id")
        result = await self._conn.execute(query.values(row))
        return bool(result.rowcount == 1)

    async def add_attempt(self, attempt: DeliveryAttempt) -> None:
        await self._conn.execute(_INSERT_ATTEMPT, mapping.attempt_to_row(attempt))

    async def attempts(self, delivery_id: str) -> Sequence[DeliveryAttempt]:
        query = (
            delivery_attempts.select()
            .where(delivery_attempts.c.delivery_id == delivery_id)
            .order_by(delivery_attempts.c.id)
        )
        return [mapping.attempt_from_row(r) for r in await self._conn.execute(query)]


class SqlReconciliationRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, source: str) -> ReconcilePoint | None:
        row = (await self._conn.execute(reconciliation.select().where(reconciliation.c.source == source))).first()
        return mapping.point_from_row(row) if row else None

    async def save(self, point: ReconcilePoint) -> None:
        row = mapping.point_to_row(point)
        updated = await self._conn.execute(
            reconciliation.update().where(reconciliation.c.source == point.source).values(row)
        )
        if updated.rowcount == 0:
            await self._conn.execute(reconciliation.insert().values(row))
