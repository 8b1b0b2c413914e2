"""The hot statements, run on the driver itself.

The repositories' statements are SQLAlchemy Core, built once at import (`Prepared`). A unit
of work runs each of them without SQLAlchemy's execution layer: the statement is compiled
once per dialect and set of parameter names (SQLAlchemy's own compiler, its own bind and
result processors: `UtcDateTime` and the rest behave as they do through it), and each call
binds the values and hands the SQL to the driver (asyncpg keeps it prepared; sqlite3 caches
it). That layer (cache-key generation, execution contexts, result metadata, and on
PostgreSQL a greenlet switch each way) cost about a third of a webhook's CPU.

Everything else (statements built per call, pages, claims) still goes through SQLAlchemy on
the same connection. On PostgreSQL the unit of work owns the transaction at the driver
level and the SQLAlchemy connection stays in autocommit mode, so both kinds of statement
run inside it; on SQLite the transaction is SQLAlchemy's (BEGIN IMMEDIATE, see engine.py)
and the driver's statements run inside it.

Errors are raised as SQLAlchemy raises them (`DBAPIError` around the driver's error), so
`errors.translate` reads them the same way, and a value either engine would refuse is
refused before the driver sees it (`errors.check_values`), as the engine hook does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util import greenlet_spawn

from adapters.sql.errors import check_values, lengths_of


class Connection(Protocol):
    """What the repositories run statements on: a unit of work's connection on either engine."""

    dialect: sa.Dialect

    async def execute(self, statement: Any, parameters: Any = None) -> Any: ...


class Prepared:
    """A statement built once, with its compiled forms by dialect and parameter names."""

    __slots__ = ("statement", "_plans")

    def __init__(self, statement: sa.Executable) -> None:
        self.statement = statement
        self._plans: dict[tuple[str, tuple[str, ...]], Plan | None] = {}

    def plan(self, dialect: sa.Dialect, names: tuple[str, ...]) -> Plan | None:
        """None when the statement needs SQLAlchemy at run time (defaults it computes,
        expanding IN lists): it then runs through SQLAlchemy."""
        key = (dialect.name, names)
        try:
            return self._plans[key]
        except KeyError:
            plan = self._plans[key] = Plan.compile(self.statement, dialect, names)
            return plan


class Plan:
    __slots__ = ("sql", "names", "constants", "lengths", "bind_processors", "result_processors", "returns_rows")

    def __init__(self, sql: str, names: tuple[str, ...], constants: Mapping[str, Any], binds: Mapping[str, Any],
                 bind_processors: Mapping[str, Callable[[Any], Any]],
                 result_processors: Mapping[str, Callable[[Any], Any]], returns_rows: bool) -> None:
        self.sql = sql
        self.names = names
        self.constants = constants
        self.lengths = lengths_of(binds)
        self.bind_processors = bind_processors
        self.result_processors = result_processors
        self.returns_rows = returns_rows

    @classmethod
    def compile(cls, statement: sa.Executable, dialect: sa.Dialect, names: tuple[str, ...]) -> Plan | None:
        compiled: Any = statement.compile(dialect=dialect, column_keys=list(names))  # type: ignore[attr-defined]
        order = tuple(compiled.positiontup or ())
        if compiled.literal_execute_params or compiled.post_compile_params:
            return None
        constants = {}  # values built into the statement (a LIMIT), not given at each call
        for name in set(order) - set(names):
            bind = compiled.binds[name]
            if bind.required or bind.callable is not None:
                return None
            constants[name] = bind.value
        result_processors = {}
        for column in compiled._result_columns:
            processor = column.type._cached_result_processor(dialect, None)
            if processor is not None:
                result_processors[column.keyname] = processor
        returns_rows = bool(compiled._result_columns)
        return cls(compiled.string, order, constants, compiled.binds, dict(compiled._bind_processors),
                   result_processors, returns_rows)

    def result(self, rows: list[dict[str, Any]]) -> Result:
        processors = self.result_processors
        if processors:
            for values in rows:
                for name, processor in processors.items():
                    value = values.get(name)
                    if value is not None:
                        values[name] = processor(value)
        return Result([Row(values) for values in rows], len(rows))

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        processors = self.bind_processors
        values = []
        for name in self.names:
            value = params[name] if name in params else self.constants[name]
            processor = processors.get(name)
            values.append(processor(value) if processor is not None and value is not None else value)
        return values


def run_on_sqlite(connection: sa.Connection, plan: Plan, params: Mapping[str, Any]) -> Result:
    """A planned statement on a SQLAlchemy SQLite connection's sqlite3 connection, in its
    transaction if it has one; errors wrapped as SQLAlchemy wraps them."""
    check_values(plan.lengths, (params,))
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(plan.sql, plan.arguments(params))
        if not plan.returns_rows:
            return Result([], cursor.rowcount)
        names = [column[0] for column in cursor.description]
        return plan.result([dict(zip(names, row)) for row in cursor.fetchall()])
    except Exception as error:
        dbapi = connection.dialect.loaded_dbapi
        if isinstance(error, dbapi.Error):
            raise sa_exc.DBAPIError.instance(plan.sql, dict(params), error, dbapi.Error,
                                             dialect=connection.dialect) from error
        raise
    finally:
        cursor.close()


class Row:
    """What the repositories read of a row: `row._mapping[name]` and `row.name`."""

    __slots__ = ("_mapping",)

    def __init__(self, mapping: dict[str, Any]) -> None:
        self._mapping = mapping

    def __getattr__(self, name: str) -> Any:
        try:
            return self._mapping[name]
        except KeyError:
            raise AttributeError(name) from None


class Result:
    """What the repositories read of a prepared statement's result: rows, first(), rowcount."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Row], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Row]:
        return iter(self._rows)

    def first(self) -> Row | None:
        return self._rows[0] if self._rows else None


class DirectConnection:
    """A unit of work's PostgreSQL connection: `Prepared` statements on asyncpg, the rest on
    SQLAlchemy; the transaction (if any) begun and ended on asyncpg.

    BEGIN is sent with the unit of work's first statement rather than on its own: when that
    statement is the advisory lock, both travel in one simple query (one round trip)."""

    def __init__(self, engine: AsyncEngine, pooled: Any) -> None:
        self._engine = engine
        self._pooled = pooled  # the pool's connection, returned by close()
        self._driver = pooled.driver_connection  # the asyncpg connection
        self._adapted = pooled.dbapi_connection  # SQLAlchemy's DBAPI adaptation (for its error mapping)
        self._sa: AsyncConnection | None = None  # made for the first statement SQLAlchemy runs
        self._state: str | None = None  # None, "pending" (BEGIN not sent yet) or "open"
        self.dialect = engine.dialect

    @classmethod
    async def open(cls, engine: AsyncEngine) -> DirectConnection:
        """A connection from the engine's pool, without a SQLAlchemy connection around it
        until one is needed (most units of work run only prepared statements)."""
        dbapi = engine.dialect.loaded_dbapi
        try:
            pooled = await engine.raw_connection()
        except dbapi.Error as error:  # wrapped as a SQLAlchemy connection would wrap it
            raise sa_exc.DBAPIError.instance(None, None, error, dbapi.Error, connection_invalidated=True,
                                             dialect=engine.dialect) from error
        return cls(engine, pooled)

    def _sqlalchemy(self) -> AsyncConnection:
        if self._sa is None:
            self._sa = AsyncConnection(self._engine, sa.Connection(self._engine.sync_engine, connection=self._pooled))
        return self._sa

    async def execute(self, statement: Any, parameters: Mapping[str, Any] | None = None) -> Any:
        if self._state == "pending":
            await self._simple("BEGIN")
        if not isinstance(statement, Prepared):
            return await self._sqlalchemy().execute(statement, parameters)
        params = parameters or {}
        plan = statement.plan(self.dialect, tuple(params))
        if plan is None:
            return await self._sqlalchemy().execute(statement.statement, parameters)
        check_values(plan.lengths, (params,))
        arguments = plan.arguments(params)
        try:
            if plan.returns_rows:
                records = await self._driver.fetch(plan.sql, *arguments)
            else:
                status = await self._driver.execute(plan.sql, *arguments)
        except Exception as error:
            raise await self._as_sqlalchemy_does(error, plan.sql, params) from error
        if not plan.returns_rows:
            count = status.rsplit(" ", 1)[-1] if isinstance(status, str) else ""
            return Result([], int(count) if count.isdigit() else -1)
        return plan.result([dict(record.items()) for record in records])

    async def _as_sqlalchemy_does(self, error: Exception, sql: str, params: Mapping[str, Any]) -> Exception:
        """The driver's error wrapped as SQLAlchemy wraps it; a lost connection is dropped
        from the pool rather than handed to the next unit of work."""
        dbapi = self.dialect.loaded_dbapi
        wrapped: Exception = error
        lost = self._driver.is_closed()
        try:
            self._adapted._handle_exception(error)
        except dbapi.Error as adapted:
            lost = lost or self.dialect.is_disconnect(adapted, None, None)
            wrapped = sa_exc.DBAPIError.instance(sql, dict(params), adapted, dbapi.Error,
                                                 connection_invalidated=lost, dialect=self.dialect)
        except Exception as other:  # not a driver error: as it is
            wrapped = other
        if lost:
            self._state = None
            await self._invalidate()
        return wrapped

    async def _simple(self, sql: str) -> None:
        """Statements without parameters, in one round trip (the simple query protocol)."""
        if self._state == "pending":
            sql = "BEGIN; " + sql if sql != "BEGIN" else sql
            self._state = "open"  # even if what follows BEGIN fails: rollback() must end it
        try:
            await self._driver.execute(sql)
        except Exception as error:
            raise await self._as_sqlalchemy_does(error, sql, {}) from error

    async def lock(self, key: int) -> None:
        """A transaction-scoped advisory lock on a 64-bit key (an int we computed: the only
        value ever written into SQL here, never text from outside)."""
        await self._simple(f"SELECT pg_advisory_xact_lock({int(key)})")

    async def begin(self) -> None:
        self._state = "pending"

    def in_transaction(self) -> bool:
        return self._state is not None

    async def commit(self) -> None:
        state, self._state = self._state, None
        if state == "open":
            try:
                await self._driver.execute("COMMIT")
            except Exception as error:
                raise await self._as_sqlalchemy_does(error, "COMMIT", {}) from error

    async def rollback(self) -> None:
        state, self._state = self._state, None
        if state != "open" or self._driver.is_closed():
            return
        try:
            await self._driver.execute("ROLLBACK")
        except Exception:  # never hand the pool a connection still inside a transaction
            await self._invalidate()
            raise

    async def _invalidate(self) -> None:
        await greenlet_spawn(self._pooled.invalidate)

    async def close(self) -> None:
        if self._sa is not None:
            await self._sa.close()  # returns the pooled connection too
        else:
            await greenlet_spawn(self._pooled.close)
