"""Rate-limit counters in the database, so every API process and machine counts together.

One atomic upsert per request: insert the window's row with 1 hit, or add 1 to it, and read
the new count back (`INSERT … ON CONFLICT … DO UPDATE … RETURNING`, on PostgreSQL and
SQLite alike). Rows of windows that have ended are deleted now and then."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.tables import rate_limits
from adapters.sql.errors import translate

PRUNE_EVERY_SECONDS = 300.0


_VALUES: dict[str, Any] = dict(
    bucket=sa.bindparam("bucket"), key=sa.bindparam("key"), window_start=sa.bindparam("window_start"),
    window_end=sa.bindparam("window_end"), hits=1,
)
_CONFLICT: dict[str, Any] = dict(
    index_elements=[rate_limits.c.bucket, rate_limits.c.key, rate_limits.c.window_start],
    set_={"hits": rate_limits.c.hits + 1},
)
# The same statement in each dialect's spelling (ON CONFLICT is not in SQLAlchemy's core insert).
_UPSERT: dict[str, sa.Executable] = {
    "postgresql": postgresql.insert(rate_limits).values(**_VALUES).on_conflict_do_update(**_CONFLICT)
    .returning(rate_limits.c.hits),
    "sqlite": sqlite.insert(rate_limits).values(**_VALUES).on_conflict_do_update(**_CONFLICT)
    .returning(rate_limits.c.hits),
}
_PRUNE = rate_limits.delete().where(rate_limits.c.window_end <= sa.bindparam("now"))


def hashed(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class SqlRateCounter:
    """Counts hits per (bucket, key) in fixed windows of `window` seconds."""

    def __init__(self, engine: AsyncEngine, *, now: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._upsert = _UPSERT[engine.dialect.name]
        self._now = now
        self._pruned_at = 0.0

    async def hit(self, bucket: str, key: str, window: int) -> tuple[int, float]:
        """Counts one hit; returns the window's count so far and the seconds until it ends."""
        now = self._now()
        start = int(now // window) * window
        params = {"bucket": bucket, "key": hashed(key), "window_start": start, "window_end": start + window}
        try:
            # One statement, atomic on its own: autocommit spares BEGIN and COMMIT round trips.
            async with self._engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                hits = (await conn.execute(self._upsert, params)).scalar_one()
                if now - self._pruned_at > PRUNE_EVERY_SECONDS:
                    self._pruned_at = now
                    await conn.execute(_PRUNE, {"now": int(now)})
        except Exception as exc:
            raise translate(exc) from exc
        return hits, start + window - now
