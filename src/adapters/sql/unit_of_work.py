"""The SQL unit of work: one connection, one transaction, repositories on top."""

from __future__ import annotations

import asyncio
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.activations import SqlActivationRepository
from adapters.sql.engine import inline_sqlite_engine
from adapters.sql.errors import translate
from adapters.sql.repositories import (
    SqlDeliveryRepository,
    SqlEventRepository,
    SqlHistoryRepository,
    SqlLicenseRepository,
    SqlReconciliationRepository,
)


class SqlUnitOfWork:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        inline: Engine | None = None,
        turn: asyncio.Lock | None = None,
        autocommit: bool = False,
    ) -> None:
        self._engine = engine
        self._inline = inline
        self._turn = turn
        self._autocommit = autocommit
        self._conn: AsyncConnection | _InlineConnection | None = None

    async def __aenter__(self) -> Self:
        if self._turn is not None:
            await self._turn.acquire()
        try:
            if self._inline is not None:
                self._conn = _InlineConnection(self._inline.connect())
            else:
                self._conn = await self._engine.connect()
            if self._autocommit:
                await self._conn.execution_options(isolation_level="AUTOCOMMIT")
            else:
                await self._conn.begin()
        except BaseException as exc:
            if self._conn is not None:
                await self._conn.close()
            if self._turn is not None:
                self._turn.release()
            raise translate(exc) from exc
        self.events = _Guarded(SqlEventRepository(self._conn))
        self.licenses = _Guarded(SqlLicenseRepository(self._conn))
        self.history = _Guarded(SqlHistoryRepository(self._conn))
        self.deliveries = _Guarded(SqlDeliveryRepository(self._conn))
        self.activations = _Guarded(SqlActivationRepository(self._conn))
        self.reconciliation = _Guarded(SqlReconciliationRepository(self._conn))
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


class _Guarded:
    """Wraps a repository so that every call raises port errors, never driver errors."""

    def __init__(self, repo: object) -> None:
        self._repo = repo

    def __getattr__(self, name: str):
        method = getattr(self._repo, name)

        async def call(*args, **kwargs):
            try:
                return await method(*args, **kwargs)
            except Exception as exc:
                translated = translate(exc)
                if translated is exc:
                    raise
                raise translated from exc

        return call


class _InlineConnection:
    """A synchronous connection behind the awaitable calls the repositories make: on SQLite
    the statements run in the event loop's thread (see engine.inline_sqlite_engine)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.dialect = conn.dialect

    async def execute(self, statement, parameters=None):
        return self._conn.execute(statement, parameters)

    async def execution_options(self, **options):
        self._conn.execution_options(**options)
        return self

    async def begin(self):
        return self._conn.begin()

    def in_transaction(self) -> bool:
        return self._conn.in_transaction()

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()


class SqlUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        sqlite = engine.dialect.name == "sqlite"
        # SQLite has one writer: units of work take turns in-process, on a connection used
        # from the event loop's thread (see engine.py).
        self._turn = asyncio.Lock() if sqlite else None
        self._inline = inline_sqlite_engine(engine.url.render_as_string(hide_password=False)) if sqlite else None

    def __call__(self, *, autocommit: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, inline=self._inline, turn=self._turn, autocommit=autocommit)

    def dispose(self) -> None:
        if self._inline is not None:
            self._inline.dispose()
