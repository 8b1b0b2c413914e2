"""Driver errors in the ports' terms: the one place that decides, by constraint name and
SQLSTATE class, what a failed statement means.

- A unique rule a use case expects to race on (a sale's license, a record's id) →
  `AlreadyExists`.
- A value the database rejects (too long, a NUL byte, not encodable, any other constraint) →
  `DataRejected`, naming the column. Both engines give the same answer: `check_values` refuses
  those values before they are sent, since SQLite would take them and PostgreSQL would not.
- A lost connection, a timeout, a server that refuses work → `StorageUnavailable`.
- Anything else (SQL that does not compile, a missing table) is a bug and stays itself.
"""

from __future__ import annotations

from typing import Any

import re
import sqlite3
from collections.abc import Iterable, Mapping

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from ports.errors import AlreadyExists, DataRejected, StorageUnavailable

# Unique rules whose violation means "another transaction got there first".
EXPECTED_UNIQUE = frozenset({
    "uq_licenses_source_order_id", "uq_activations_license_id_machine",
    "pk_events", "pk_licenses", "pk_deliveries", "pk_license_history", "pk_delivery_attempts",
    "pk_activations", "pk_activation_history", "pk_reconciliation",
})

# SQLSTATE classes: 08 connection, 40 rollback (serialization, deadlock), 53 resources,
# 55 object state (lock not available), 57 operator intervention (shutdown, statement
# timeout), 58 system error, XX internal. 22 data exception and 23 integrity are data.
_UNAVAILABLE_CLASSES = frozenset({"08", "40", "53", "55", "57", "58", "XX", "HV"})
_DATA_CLASSES = frozenset({"22", "23"})

# Bind names that are not the column's own name.
_BIND_COLUMNS = {"b_id": "id", "b_source": "source", "b_external": "external_id", "b_order": "order_id",
                 "b_sub": "subscription_id", "b_email": "email", "b_license": "license_id", "b_machine": "machine"}


def column_of(bind_name: str) -> str:
    name = _BIND_COLUMNS.get(bind_name, bind_name)
    return re.sub(r"_\d+$", "", name) if name not in _BIND_COLUMNS.values() else name


def problem_with(value: object, length: int | None) -> str | None:
    """What the database would refuse about a value bound to a column of this length."""
    if not isinstance(value, str):
        return None
    if "\x00" in value:
        return "contains a NUL character"
    if not value.isascii():  # ASCII (nearly every value) encodes; the rest is tried
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "is not valid text (unpaired surrogate)"
    if length is not None and len(value) > length:
        return f"is longer than {length} characters"
    return None


def lengths_of(binds: Mapping[str, sa.BindParameter[Any]]) -> dict[str, int | None]:
    """The length each bound column holds (None: any), for check_values."""
    lengths: dict[str, int | None] = {}
    for name, bind in binds.items():
        length = getattr(bind.type, "length", None)
        lengths[name] = length if isinstance(length, int) else None
    return lengths


def check_values(lengths: Mapping[str, int | None], parameters: Iterable[Mapping[str, object]]) -> None:
    """Raises DataRejected for the first value either engine must not store or look up."""
    for params in parameters:
        for name, value in params.items():
            if isinstance(value, str):
                problem = problem_with(value, lengths.get(name))
                if problem is not None:
                    raise DataRejected(column_of(name), problem)


def install_value_check(engine: sa.Engine) -> None:
    """Checks every statement's values on this (sync) engine before the driver sees them."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _check(conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any, executemany: bool) -> None:
        compiled = getattr(context, "compiled", None)
        if compiled is not None and context.compiled_parameters:
            check_values(lengths_of(compiled.binds), context.compiled_parameters)


def sqlstate(exc: sa_exc.DBAPIError) -> str | None:
    orig = exc.orig
    for candidate in (orig, getattr(orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(code, str) and len(code) == 5:
            return code
    return None


def constraint_of(exc: sa_exc.DBAPIError) -> str | None:
    orig = exc.orig
    for candidate in (orig, getattr(orig, "__cause__", None)):
        name = getattr(candidate, "constraint_name", None)
        if isinstance(name, str) and name:
            return name
    # SQLite names the columns, not the constraint: "UNIQUE constraint failed: t.a, t.b"
    match = re.search(r"UNIQUE constraint failed: ([\w., ]+)", str(orig))
    if match:
        pairs = re.findall(r"(\w+)\.(\w+)", match.group(1))
        if pairs:
            table, columns = pairs[0][0], [column for _, column in pairs]
            return f"pk_{table}" if columns == ["id"] else f"uq_{table}_{'_'.join(columns)}"
    return None


def translate(exc: BaseException) -> BaseException:
    """A driver's exception in the ports' terms (or itself, when it means a bug)."""
    if isinstance(exc, (AlreadyExists, DataRejected, StorageUnavailable)):
        return exc
    if isinstance(exc, UnicodeEncodeError):
        return DataRejected("value", "is not valid text (unpaired surrogate)")
    if isinstance(exc, sa_exc.DBAPIError):
        return _translate_dbapi(exc)
    if isinstance(exc, (sa_exc.TimeoutError, OSError, TimeoutError, ConnectionError)):
        return StorageUnavailable(f"{type(exc).__name__}: {exc}")
    return exc


def _translate_dbapi(exc: sa_exc.DBAPIError) -> BaseException:
    state = sqlstate(exc)
    detail = f"{type(exc.orig).__name__}: {exc.orig}".splitlines()[0]
    if isinstance(exc, sa_exc.IntegrityError) or (state or "").startswith("23"):
        constraint = constraint_of(exc)
        unique = state == "23505" or "UNIQUE constraint failed" in str(exc.orig)
        if unique and constraint in EXPECTED_UNIQUE:
            return AlreadyExists(detail)
        return DataRejected(constraint or "value", f"refused by the database ({detail})")
    if state is not None:
        if state[:2] in _DATA_CLASSES:
            return DataRejected(_field_from_params(exc) or "value", f"refused by the database ({detail})")
        if state[:2] in _UNAVAILABLE_CLASSES:
            return StorageUnavailable(detail)
        if state[:2] == "42":  # syntax or a missing object: our bug, not an outage
            return exc
        return StorageUnavailable(detail)
    if isinstance(exc, sa_exc.DataError) or isinstance(exc.orig, sqlite3.DataError):
        return DataRejected(_field_from_params(exc) or "value", f"refused by the database ({detail})")
    if isinstance(exc, sa_exc.ProgrammingError) and not isinstance(exc.orig, sqlite3.OperationalError):
        return exc
    return StorageUnavailable(detail)


def _field_from_params(exc: sa_exc.StatementError) -> str | None:
    params = exc.params
    rows = params if isinstance(params, (list, tuple)) else [params]
    for row in rows:
        if isinstance(row, Mapping):
            for name, value in row.items():
                if problem_with(value, None) is not None:
                    return column_of(name)
    return None
