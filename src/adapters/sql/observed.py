"""What the database says about the service's backlog, read when Prometheus scrapes.

These numbers are the database's, not a process's: several API processes, workers and
machines all answer the same, so they are never counted in memory. Each is one query on an
index (`events (status, received_at)`, `deliveries (status, next_attempt_at)`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.tables import deliveries, events

_EVENTS_BY_STATUS = sa.select(events.c.status, sa.func.count()).group_by(events.c.status)
_DELIVERIES_BY_STATUS = (
    sa.select(deliveries.c.status, sa.func.count(), sa.func.min(deliveries.c.created_at))
    .group_by(deliveries.c.status)
)


@dataclass(frozen=True, slots=True, kw_only=True)
class BacklogState:
    events_by_status: dict[str, int] = field(default_factory=dict)
    deliveries_by_status: dict[str, int] = field(default_factory=dict)
    oldest_pending_created_at: datetime | None = None


async def read_backlog(engine: AsyncEngine) -> BacklogState:
    """Raises SQLAlchemy's errors as they are: the caller reports a failed read as such."""
    async with engine.connect() as conn:
        by_event = {status: count for status, count in await conn.execute(_EVENTS_BY_STATUS)}
        by_delivery: dict[str, int] = {}
        oldest = None
        for status, count, first in await conn.execute(_DELIVERIES_BY_STATUS):
            by_delivery[status] = count
            if status == "pending":
                oldest = first  # min() keeps the column's type: an aware UTC datetime
    return BacklogState(events_by_status=by_event, deliveries_by_status=by_delivery,
                        oldest_pending_created_at=oldest)
