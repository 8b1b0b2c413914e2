"""Rate limits for the public endpoints.

On PostgreSQL the counts live in the database (adapters/sql/rate_limits.py), so N API
processes, or several machines, share one limit: fixed windows (a client can make up to
twice the limit across a window boundary, never more). On SQLite, which runs one process
only (`serve --processes` refuses more), the counts stay in the process, in sliding windows:
a write per validation would queue behind the units of work for SQLite's one write lock."""

from __future__ import annotations

import time
from collections import deque
from typing import Protocol

from aiohttp import web

from adapters.sql.rate_limits import SqlRateCounter


class RateLimiter:
    """Sliding-window counts kept in this process."""

    def __init__(self, limit: int, window_seconds: float, *, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}
        self._max_keys = max_keys

    def allow(self, key: str, now: float | None = None) -> float | None:
        """None when allowed (and counted); otherwise the seconds until it would be."""
        if self.limit <= 0:
            return None
        now = time.monotonic() if now is None else now
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self._max_keys:
                self._prune(now)
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] + self.window - now
        hits.append(now)
        return None

    def _prune(self, now: float) -> None:
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window]:
            del self._hits[key]


class Limit(Protocol):
    async def check(self, key: str) -> float | None:
        """None when allowed (and counted); otherwise the seconds to wait."""


class LocalLimit:
    def __init__(self, limit: int, window_seconds: int) -> None:
        self._limiter = RateLimiter(limit, window_seconds)

    async def check(self, key: str) -> float | None:
        return self._limiter.allow(key)


class SharedLimit:
    """`limit` hits per `window_seconds` for each key, counted in the database under `bucket`."""

    def __init__(self, counter: SqlRateCounter, bucket: str, limit: int, window_seconds: int) -> None:
        self._counter = counter
        self._bucket = bucket
        self.limit = limit
        self._window = window_seconds

    async def check(self, key: str) -> float | None:
        if self.limit <= 0:
            return None
        hits, remaining = await self._counter.hit(self._bucket, key, self._window)
        return None if hits <= self.limit else max(remaining, 0.001)


# The database counter when limits are shared (PostgreSQL), else None: handlers that add a
# limit call `make_limit(app[RATE_COUNTER], "<bucket>", limit, window_seconds)`.
RATE_COUNTER: web.AppKey[SqlRateCounter | None] = web.AppKey("rate_counter")


def make_limit(counter: SqlRateCounter | None, bucket: str, limit: int, window_seconds: int) -> Limit:
    """Shared through the database when a counter is given, else counted in the process."""
    if counter is None:
        return LocalLimit(limit, window_seconds)
    return SharedLimit(counter, bucket, limit, window_seconds)
