"""The SQL unit of work: one connection, one transaction, repositories on top."""

from __future__ import annotations

import asyncio
from typing import Self

import sqlalchemy.exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.repositories import (
    SqlDeliveryRepository,
    SqlEventRepository,
    SqlHistoryRepository,
    SqlLicenseRepository,
)
from ports.errors import AlreadyExists, StorageUnavailable


def translate(exc: BaseException) -> BaseException:
    """A driver's exception in the ports' terms (or itself, when it means a bug)."""
    if isinstance(exc, sa_exc.IntegrityError):
        return AlreadyExists(str(exc.orig))
    if isinstance(exc, sa_exc.DBAPIError) and not isinstance(exc, sa_exc.ProgrammingError):
        return StorageUnavailable(f"{type(exc.orig).__name__}: {exc.orig}")
    if isinstance(exc, (sa_exc.TimeoutError, OSError, TimeoutError, ConnectionError)):
        return StorageUnavailable(f"{type(exc).__name__}: {exc}")
    return exc


class SqlUnitOfWork:
    def __init__(self, engine: AsyncEngine, turn: asyncio.Lock | None = None) -> None:
        self._engine = engine
        self._turn = turn
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        if self._turn is not None:
            await self._turn.acquire()
        try:
            self._conn = await self._engine.connect()
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


class SqlUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # SQLite has one writer: units of work take turns in-process (see engine.py).
        self._turn = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self._turn)
