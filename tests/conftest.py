"""Fixtures shared by every layer of the suite: sample bodies, databases, settings."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest

from adapters.sql import migrate
from tests.support.postgres import PostgresUnavailable, ThrowawayPostgres, create_database

ROOT = Path(__file__).resolve().parents[1]
GUMROAD = Path(__file__).parent / "fixtures" / "gumroad"
WEBHOOK_SECRET = "test-secret-0123456789abcdef"
ADMIN_TOKEN = "admin-token-0123456789abcdef"


def gumroad_body(name: str) -> bytes:
    """A sample body exactly as Gumroad sends it (tests/fixtures/gumroad/<name>.txt)."""
    return (GUMROAD / f"{name}.txt").read_bytes().strip()


def run_in_thread(coro_fn, *args):
    """Runs a coroutine to completion on a loop of its own, from sync code in any context."""
    result: list = []

    def target():
        result.append(asyncio.run(coro_fn(*args)))

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return result[0] if result else None


@pytest.fixture(scope="session")
def postgres_server():
    """The suite's PostgreSQL: LICENSEMINT_TEST_POSTGRES_URL when given, else a throwaway
    cluster. Missing PostgreSQL fails the tests that need it (skips only when
    LICENSEMINT_SKIP_POSTGRES=1 outside CI)."""
    given = os.environ.get("LICENSEMINT_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    if os.environ.get("LICENSEMINT_SKIP_POSTGRES") == "1" and not os.environ.get("CI"):
        pytest.skip("LICENSEMINT_SKIP_POSTGRES=1")
    try:
        server = ThrowawayPostgres().start()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL is needed and could not be started: {exc}")
    yield server.url
    server.stop()


def _swap_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def postgres_template(postgres_server) -> str:
    name = "licensemint_template"
    run_in_thread(create_database, postgres_server, name)
    migrate.upgrade(_swap_database(postgres_server, name))
    return name


@pytest.fixture
def postgres_url(postgres_server, postgres_template) -> str:
    """A fresh, migrated database of its own for one test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    run_in_thread(create_database, postgres_server, name, postgres_template)
    return _swap_database(postgres_server, name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path) -> str:
    path = tmp_path / "licensemint.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def smtp_sink():
    """A real SMTP server (aiosmtpd) on a loopback port; see tests/support/smtp_server.py."""
    from tests.support.smtp_server import SmtpSink

    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
async def fake_postmark():
    """A local server speaking Postmark's email API; see tests/support/fake_postmark.py."""
    from aiohttp.test_utils import TestServer

    from tests.support.fake_postmark import FakePostmark

    fake = FakePostmark()
    server = TestServer(fake.app)
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    yield fake
    await server.close()


def broken_sqlite_url(tmp_path: Path) -> str:
    """A SQLite URL whose file is not a database: connecting works, every statement fails,
    as when the disk under a database goes bad."""
    path = tmp_path / "not-a-database.db"
    path.write_bytes(b"this is not a database file " * 200)
    return f"sqlite+aiosqlite:///{path}"


def make_env(tmp_path: Path, database_url: str, **overrides: str) -> dict[str, str]:
    env = {
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "GUMROAD_WEBHOOK_SECRETS": f"{WEBHOOK_SECRET},second-secret-0123456789",
        "ADMIN_TOKENS": f"alice:{ADMIN_TOKEN},old-token-0123456789abcdef",
        "LICENSEMINT_VAR_DIR": str(tmp_path / "var"),
        "MAIL_DIR": str(tmp_path / "mail"),
    }
    env.update(overrides)
    return env


@pytest.fixture
async def fake_gumroad():
    """A local server speaking Gumroad's Sales API; see tests/support/fake_gumroad.py."""
    from aiohttp.test_utils import TestServer

    from tests.support.fake_gumroad import FakeGumroad

    fake = FakeGumroad()
    server = TestServer(fake.app)
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    yield fake
    await server.close()
