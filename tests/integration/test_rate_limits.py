"""The database's rate-limit counters on both engines: atomic under concurrency, per bucket
and key, in fixed windows, old windows pruned."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from adapters.sql.engine import create_engine
from adapters.sql.rate_limits import PRUNE_EVERY_SECONDS, SqlRateCounter, hashed
from adapters.sql.tables import rate_limits
from entrypoints.http.ratelimit import SharedLimit


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_concurrent_hits_each_get_their_own_count(database_url):
    engine = create_engine(database_url)
    try:
        counter = SqlRateCounter(engine, now=Clock(1_000_000.0))
        results = await asyncio.gather(*(counter.hit("validate", "10.0.0.1", 60) for _ in range(30)))
        assert sorted(hits for hits, _ in results) == list(range(1, 31))
        assert all(0 < remaining <= 60 for _, remaining in results)
    finally:
        await engine.dispose()


async def test_buckets_keys_and_windows_count_apart_and_keys_are_stored_hashed(database_url):
    engine = create_engine(database_url)
    clock = Clock(1_000_040.0)  # 20 s into a 60 s window (1_000_020 is a multiple of 60)
    try:
        counter = SqlRateCounter(engine, now=clock)
        assert (await counter.hit("validate", "a", 60))[0] == 1
        assert (await counter.hit("validate", "a", 60))[0] == 2
        assert (await counter.hit("validate", "b", 60))[0] == 1
        assert (await counter.hit("resend_address", "a", 60))[0] == 1
        hits, remaining = await counter.hit("validate", "a", 60)
        assert hits == 3 and remaining == 40
        clock.now += 40  # the next window
        assert (await counter.hit("validate", "a", 60))[0] == 1
        async with engine.connect() as conn:
            keys = {row.key for row in await conn.execute(sa.select(rate_limits.c.key))}
        assert keys == {hashed("a"), hashed("b")} and "a" not in keys
    finally:
        await engine.dispose()


async def test_ended_windows_are_pruned(database_url):
    engine = create_engine(database_url)
    clock = Clock(2_000_000.0)
    try:
        counter = SqlRateCounter(engine, now=clock)
        await counter.hit("validate", "old", 60)  # prunes nothing, starts the prune clock
        clock.now += PRUNE_EVERY_SECONDS + 1
        await counter.hit("validate", "new", 60)
        async with engine.connect() as conn:
            left = [row.key for row in await conn.execute(sa.select(rate_limits.c.key))]
        assert left == [hashed("new")]
    finally:
        await engine.dispose()


async def test_a_shared_limit_refuses_past_the_limit_with_the_wait(database_url):
    engine = create_engine(database_url)
    try:
        limit = SharedLimit(SqlRateCounter(engine, now=Clock(3_000_000.0)), "validate", 3, 60)
        answers = [await limit.check("10.0.0.9") for _ in range(5)]
        assert answers[:3] == [None, None, None]
        assert all(wait is not None and 0 < wait <= 60 for wait in answers[3:])
        assert await SharedLimit(SqlRateCounter(engine), "validate", 0, 60).check("x") is None  # 0: no limit
    finally:
        await engine.dispose()
