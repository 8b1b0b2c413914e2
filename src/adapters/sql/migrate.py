"""Alembic, driven from code: upgrade, downgrade, and "is this database behind?".

Alembic's async environment calls asyncio.run(), so `upgrade` and `downgrade` run it in a
thread of their own: callers may or may not be inside an event loop. `status` is async.
"""

from __future__ import annotations

import contextlib
import sqlite3

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.engine import ensure_sqlite_directory, is_sqlite

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    ensure_sqlite_directory(url)
    _in_thread(command.upgrade, alembic_config(url), revision)
    if is_sqlite(url):
        _use_wal(sa.make_url(url).database)


def _use_wal(path: str | None) -> None:
    """WAL is a property of the file: set it once here, where nobody else holds the lock,
    so the server's connections never need the lock just to open."""
    if not path or path == ":memory:":
        return
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA busy_timeout=5000")
        if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            db.execute("PRAGMA journal_mode=WAL")


def downgrade(url: str, revision: str = "base") -> None:
    _in_thread(command.downgrade, alembic_config(url), revision)


def _in_thread(fn: Callable[..., object], *args: object) -> None:
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="alembic") as pool:
        pool.submit(fn, *args).result()


@dataclass(frozen=True)
class MigrationStatus:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


async def status(engine: AsyncEngine) -> MigrationStatus:
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert head is not None, "no migrations found"
    async with engine.connect() as conn:
        current = await conn.run_sync(
            lambda sync_conn: MigrationContext.configure(sync_conn).get_current_revision()
        )
    return MigrationStatus(current=current, head=head)
