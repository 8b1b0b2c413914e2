"""Start-up failures a user can fix, said in one line that names the setting and the fix,
instead of a driver's hundred-line traceback."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import sqlalchemy as sa

from adapters.sql.engine import is_sqlite
from ports.errors import StorageUnavailable


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [getattr(current, "orig", None), current.__cause__, current.__context__]


def _where(url: str) -> str:
    if is_sqlite(url):
        return f"the SQLite file {sa.make_url(url).database}"
    parsed = sa.make_url(url)
    return f"PostgreSQL at {parsed.host}:{parsed.port or 5432} (database {parsed.database}, user {parsed.username})"


def database_problem(exc: BaseException, url: str) -> str | None:
    """One line for a database that cannot be used as configured; None if `exc` is not that."""
    where = _where(url)
    for e in _chain(exc):
        state = getattr(e, "sqlstate", None)
        name = type(e).__name__
        if state == "28P01" or name == "InvalidPasswordError":
            return f"DATABASE_URL: {where} refused the password; check the user and password in DATABASE_URL"
        if (state or "").startswith("28") or name == "InvalidAuthorizationSpecificationError":
            return f"DATABASE_URL: {where} refused the login ({e}); check the user in DATABASE_URL"
        if state == "3D000" or name == "InvalidCatalogNameError":
            return f"DATABASE_URL: {where}: the database does not exist; create it, or fix its name in DATABASE_URL"
        if isinstance(e, socket.gaierror):
            return f"DATABASE_URL: cannot resolve the host of {where}; check the host name in DATABASE_URL"
        if isinstance(e, ConnectionRefusedError) or (isinstance(e, OSError) and "Connect call failed" in str(e)):
            return (f"DATABASE_URL: nothing answers at {where} (connection refused); start PostgreSQL, "
                    "or fix the host and port in DATABASE_URL")
        if isinstance(e, TimeoutError):
            return f"DATABASE_URL: {where} did not answer in time; check that it is reachable from here"
        if "unable to open database file" in str(e):
            return f"DATABASE_URL: cannot open {where}; check the path and its folder's permissions"
        if isinstance(e, OSError) and e.errno is not None:
            return f"DATABASE_URL: cannot reach {where} ({e.strerror}); check the host and port in DATABASE_URL"
    if isinstance(exc, StorageUnavailable):
        return f"DATABASE_URL: {where} is unavailable ({exc})"
    return None
