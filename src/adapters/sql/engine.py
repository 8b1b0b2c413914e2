"""Engines for both databases, with the settings each needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.sql.errors import install_value_check


def is_sqlite(url: str) -> bool:
    return sa.make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, pool_size: int = 20) -> AsyncEngine:
    if is_sqlite(url):
        return _sqlite_engine(url)
    engine = create_async_engine(
        url,
        # A fixed pool, kept open: an overflow connection is closed when it comes back, so
        # under steady load above the pool size every unit of work paid a new connection
        # (a PostgreSQL backend forked, TLS negotiated, the dialect's set-up queries). Units
        # of work never nest, so waiting for a connection cannot deadlock.
        pool_size=pool_size,
        max_overflow=0,
        # Units of work begin and end their transactions on the driver (direct.py); every
        # other statement stands alone.
        isolation_level="AUTOCOMMIT",
        # No pre-ping: it costs a round trip per unit of work. A connection the server
        # closed fails its first statement, is thrown away, and that request answers 503,
        # which Gumroad retries; recycling keeps connections younger than most idle timeouts.
        pool_recycle=1800,
        # Inside Gumroad's 5 s timeout: a starved pool answers 503 (retried), not a timeout.
        pool_timeout=3,
    )
    install_value_check(engine.sync_engine)
    return engine


def ensure_sqlite_directory(url: str) -> None:
    """SQLite creates the file but not its folder; the embedded default needs no set-up."""
    if not is_sqlite(url):
        return
    database = sa.make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str) -> AsyncEngine:
    ensure_sqlite_directory(url)
    # Units of work do not use this engine (see inline_sqlite_engine); it serves /ready,
    # migration checks and ad-hoc reads, in deferred transactions: WAL readers take no lock
    # a writer waits for (a writer here would stall the loop-bound units of work).
    engine = create_async_engine(url, pool_size=1, max_overflow=4, pool_timeout=10)
    _sqlite_pragmas(engine.sync_engine, busy_ms=5000, immediate=False)
    install_value_check(engine.sync_engine)
    return engine


def inline_sqlite_engine(url: str) -> Engine:
    """The synchronous engine SQLite units of work run on, in the event loop's own thread.

    A SQLite statement takes microseconds; aiosqlite's hop to its thread and back for each
    statement and cursor costs more than the work, and units of work run one at a time
    anyway (one writer). The price: a commit's fsync pauses the loop. Its busy timeout is 0:
    when another process holds the write lock, the unit of work sleeps and tries again
    (unit_of_work.LOCK_WAIT) instead of blocking the loop."""
    ensure_sqlite_directory(url)
    sync_url = sa.make_url(url).set(drivername="sqlite+pysqlite")
    engine = sa.create_engine(sync_url, pool_size=1, max_overflow=2, pool_timeout=1)
    _sqlite_pragmas(engine, busy_ms=0, immediate=True)
    install_value_check(engine)
    return engine


def _sqlite_pragmas(engine: Engine, *, busy_ms: int, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling begins lazily; take control so that
        # BEGIN IMMEDIATE makes each unit of work take the write lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        # Switching to WAL needs the lock another process may hold; once the file is in
        # WAL (it stays so), reading the mode does not.
        cursor.execute("PRAGMA journal_mode")
        if str(cursor.fetchone()[0]).lower() != "wal":
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
            except Exception:  # locked by another process: the next connection sets it
                pass
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
