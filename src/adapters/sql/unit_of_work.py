"""The SQL unit of work: one connection, one transaction, repositories on top."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, Self


import sqlalchemy.exc as sa_exc

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.activations import SqlActivationRepository
from adapters.sql.direct import DirectConnection, Prepared, run_on_sqlite
from adapters.sql.engine import inline_sqlite_engine
from adapters.sql.errors import translate
from adapters.sql.repositories import (
    SqlDeliveryRepository,
    SqlEventRepository,
    SqlHistoryRepository,
    SqlLicenseRepository,
    SqlReconciliationRepository,
)
from ports.unit_of_work import UnitOfWorkFactory
from ports.wakeup import Wakeup


class SqlUnitOfWork:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        inline: Engine | None = None,
        turn: asyncio.Lock | None = None,
        autocommit: bool = False,
        wakeup: Wakeup | None = None,
    ) -> None:
        self._engine = engine
        self._inline = inline
        self._turn = turn
        self._autocommit = autocommit
        self._wakeup = wakeup
        self._conn: DirectConnection | _InlineConnection | None = None
        self._effects: list[Callable[[], None]] = []
        self._repos: dict[str, Any] = {}

    @property
    def events(self) -> SqlEventRepository:
        return self._repos["events"]  # type: ignore[no-any-return]

    @property
    def licenses(self) -> SqlLicenseRepository:
        return self._repos["licenses"]  # type: ignore[no-any-return]

    @property
    def history(self) -> SqlHistoryRepository:
        return self._repos["history"]  # type: ignore[no-any-return]

    @property
    def deliveries(self) -> SqlDeliveryRepository:
        return self._repos["deliveries"]  # type: ignore[no-any-return]

    @property
    def activations(self) -> SqlActivationRepository:
        return self._repos["activations"]  # type: ignore[no-any-return]

    @property
    def reconciliation(self) -> SqlReconciliationRepository:
        return self._repos["reconciliation"]  # type: ignore[no-any-return]

    def after_commit(self, effect: Callable[[], None]) -> None:
        if effect not in self._effects:
            self._effects.append(effect)

    async def lock(self, key: str) -> None:
        assert self._conn is not None
        if isinstance(self._conn, DirectConnection):  # PostgreSQL
            digest = hashlib.sha256(key.encode()).digest()
            try:
                await self._conn.lock(int.from_bytes(digest[:8], "big", signed=True))
            except Exception as exc:
                raise translate(exc) from exc
        # SQLite: units of work already run one at a time (see SqlUnitOfWorkFactory)

    def _queued(self) -> None:
        if self._wakeup is not None:
            self.after_commit(self._wakeup.notify)

    async def __aenter__(self) -> Self:
        if self._turn is not None:
            await self._turn.acquire()
        try:
            if self._inline is not None:
                self._conn = _InlineConnection(self._inline.connect())
                if self._autocommit:
                    await self._conn.execution_options(isolation_level="AUTOCOMMIT")
                else:
                    await self._conn.begin()
            else:
                # PostgreSQL: the engine's connections are in autocommit mode; the unit of
                # work begins its transaction on the driver (see direct.py).
                self._conn = await DirectConnection.open(self._engine)
                if not self._autocommit:
                    await self._conn.begin()
        except BaseException as exc:
            if self._conn is not None:
                await self._conn.close()
            if self._turn is not None:
                self._turn.release()
            raise translate(exc) from exc
        conn: Any = self._conn
        self._repos = {
            "events": _Guarded(SqlEventRepository(conn)),
            "licenses": _Guarded(SqlLicenseRepository(conn)),
            "history": _Guarded(SqlHistoryRepository(conn)),
            "deliveries": _Guarded(SqlDeliveryRepository(conn, on_add=self._queued)),
            "activations": _Guarded(SqlActivationRepository(conn)),
            "reconciliation": _Guarded(SqlReconciliationRepository(conn)),
        }
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        except Exception:  # the connection is already broken; closing it is what is left
            pass
        finally:
            try:
                await self._conn.close()
            finally:
                if self._turn is not None:
                    self._turn.release()

    async def commit(self) -> None:
        assert self._conn is not None
        try:
            await self._conn.commit()
        except Exception as exc:
            raise translate(exc) from exc
        effects, self._effects = self._effects, []
        for effect in effects:
            effect()


class _Guarded:
    """Wraps a repository so that every call raises port errors, never driver errors."""

    def __init__(self, repo: object) -> None:
        self._repo = repo

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        method = getattr(self._repo, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return await method(*args, **kwargs)
            except Exception as exc:
                translated = translate(exc)
                if translated is exc:
                    raise
                raise translated from exc

        return call


# How long a unit of work waits for SQLite's write lock held by another process (another
# licensemint process, a backup, a sqlite3 shell) before the store counts as unavailable.
LOCK_WAIT = 10.0


def _busy(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    return isinstance(orig, sqlite3.OperationalError) and (
        getattr(orig, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        or "database is locked" in str(orig)
    )


async def _waiting_for_the_lock(attempt: Callable[[], Any], undo: Callable[[], None] | None = None) -> Any:
    """Runs `attempt` until SQLite's write lock is free, sleeping between tries: the busy
    timeout of the loop's own connection is 0, so the event loop never blocks on the lock."""
    delay, deadline = 0.002, time.monotonic() + LOCK_WAIT
    while True:
        try:
            return attempt()
        except sa_exc.OperationalError as exc:
            if not _busy(exc) or time.monotonic() >= deadline:
                raise
            if undo is not None:
                undo()
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.1)


class _InlineConnection:
    """A synchronous connection behind the awaitable calls the repositories make: on SQLite
    the statements run in the event loop's thread (see engine.inline_sqlite_engine)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.dialect = conn.dialect

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        run: Callable[[], Any]
        plan = statement.plan(self.dialect, tuple(parameters or ())) if isinstance(statement, Prepared) else None
        if plan is not None:
            run = partial(run_on_sqlite, self._conn, plan, parameters or {})
        else:
            statement = statement.statement if isinstance(statement, Prepared) else statement
            run = partial(self._conn.execute, statement, parameters)
        if self._conn.in_transaction():  # BEGIN IMMEDIATE holds the write lock already
            return run()
        return await _waiting_for_the_lock(run)

    async def execution_options(self, **options: Any) -> _InlineConnection:
        self._conn.execution_options(**options)
        return self

    async def begin(self) -> Any:
        return await _waiting_for_the_lock(self._conn.begin, self._undo_begin)

    def _undo_begin(self) -> None:
        if self._conn.in_transaction():
            self._conn.rollback()

    def in_transaction(self) -> bool:
        return self._conn.in_transaction()

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()


class SqlUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine, wakeup: Wakeup | None = None) -> None:
        self.engine = engine
        self._wakeup = wakeup
        sqlite = engine.dialect.name == "sqlite"
        # SQLite has one writer: units of work take turns in-process, on a connection used
        # from the event loop's thread (see engine.py).
        self._turn = asyncio.Lock() if sqlite else None
        self._inline = inline_sqlite_engine(engine.url.render_as_string(hide_password=False)) if sqlite else None

    def __call__(self, *, autocommit: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, inline=self._inline, turn=self._turn, autocommit=autocommit,
                             wakeup=self._wakeup)

    def dispose(self) -> None:
        if self._inline is not None:
            self._inline.dispose()


def _conforms(factory: SqlUnitOfWorkFactory) -> UnitOfWorkFactory:
    return factory  # mypy --strict holds the SQL adapter to the port here
