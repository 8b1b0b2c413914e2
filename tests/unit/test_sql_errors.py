"""adapters/sql/errors.py: what a driver's error means, decided by SQLSTATE class and
constraint name (the real drivers' errors are met in tests/e2e/test_hostile_values.py)."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy.exc as sa_exc

from adapters.sql.errors import translate
from ports.errors import AlreadyExists, DataRejected, StorageUnavailable


class PgError(Exception):
    """Shaped like SQLAlchemy's asyncpg adapter error: sqlstate, the driver's error as cause."""

    def __init__(self, message: str, sqlstate: str, constraint: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate
        cause = Exception(message)
        cause.constraint_name = constraint
        self.__cause__ = cause


def wrapped(orig: Exception, kind=sa_exc.DBAPIError, params=None):
    return kind("INSERT …", params or {}, orig)


@pytest.mark.parametrize(("orig", "kind", "expected"), [
    (PgError("duplicate key", "23505", "uq_licenses_source_order_id"), sa_exc.IntegrityError, AlreadyExists),
    (PgError("duplicate key", "23505", "uq_something_unexpected"), sa_exc.IntegrityError, DataRejected),
    (PgError("null value", "23502"), sa_exc.IntegrityError, DataRejected),
    (PgError("value too long", "22001"), sa_exc.DBAPIError, DataRejected),
    (PgError("invalid byte sequence", "22021"), sa_exc.DBAPIError, DataRejected),
    (PgError("connection lost", "08006"), sa_exc.DBAPIError, StorageUnavailable),
    (PgError("admin shutdown", "57P01"), sa_exc.DBAPIError, StorageUnavailable),
    (PgError("statement timeout", "57014"), sa_exc.DBAPIError, StorageUnavailable),
    (PgError("too many connections", "53300"), sa_exc.DBAPIError, StorageUnavailable),
    (PgError("deadlock", "40P01"), sa_exc.DBAPIError, StorageUnavailable),
    (sqlite3.IntegrityError("UNIQUE constraint failed: licenses.source, licenses.order_id"),
     sa_exc.IntegrityError, AlreadyExists),
    (sqlite3.IntegrityError("NOT NULL constraint failed: licenses.key"), sa_exc.IntegrityError, DataRejected),
    (sqlite3.OperationalError("database is locked"), sa_exc.OperationalError, StorageUnavailable),
    (sqlite3.OperationalError("disk I/O error"), sa_exc.OperationalError, StorageUnavailable),
])
def test_each_driver_error_has_one_meaning(orig, kind, expected):
    assert isinstance(translate(wrapped(orig, kind)), expected)


def test_syntax_errors_stay_bugs():
    error = wrapped(PgError("syntax error", "42601"), sa_exc.ProgrammingError)
    assert translate(error) is error


def test_a_rejected_value_names_the_field_not_the_value():
    error = wrapped(PgError("invalid byte sequence for encoding", "22021"), params={"licensee": "Jane\x00 Secret"})
    translated = translate(error)
    assert isinstance(translated, DataRejected) and translated.field == "licensee"
    assert "Secret" not in str(translated)


def test_connection_trouble_outside_the_driver_is_unavailable():
    assert isinstance(translate(ConnectionRefusedError(111, "refused")), StorageUnavailable)
    assert isinstance(translate(TimeoutError()), StorageUnavailable)
