"""Engines for both databases, with the settings each needs."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def is_sqlite(url: str) -> bool:
    return sa.make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    if is_sqlite(url):
        return _sqlite_engine(url)
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        # Inside Gumroad's 5 s timeout: a starved pool answers 503 (retried), not a timeout.
        pool_timeout=3,
    )


def ensure_sqlite_directory(url: str) -> None:
    """SQLite creates the file but not its folder; the embedded default needs no set-up."""
    if not is_sqlite(url):
        return
    database = sa.make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str) -> AsyncEngine:
    ensure_sqlite_directory(url)
    # SQLite allows one writer at a time: units of work take turns on an asyncio lock
    # (SqlUnitOfWorkFactory) rather than queueing in the pool, whose waiters are left
    # hanging when a connect fails. The spare connections serve /ready and ad-hoc reads.
    engine = create_async_engine(url, pool_size=1, max_overflow=4, pool_timeout=10)

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection, _record):
        # pysqlite's own transaction handling begins lazily; take control so that
        # BEGIN IMMEDIATE makes each unit of work take the write lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
