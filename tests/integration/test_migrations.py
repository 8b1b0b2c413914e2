"""One alembic history for both engines: upgrade, downgrade, upgrade, and the code's tables
match what the migrations build."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from adapters.sql import migrate
from adapters.sql.engine import create_engine
from adapters.sql.tables import metadata
from tests.conftest import run_in_thread
from tests.support.postgres import create_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    server = request.getfixturevalue("postgres_server")
    name = f"m_{uuid.uuid4().hex[:10]}"
    run_in_thread(create_database, server, name)
    return server.rsplit("/", 1)[0] + "/" + name


async def tables_and_revision(url):
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), metadata)
            )
        status = await migrate.status(engine)
    finally:
        await engine.dispose()
    return tables - {"alembic_version"}, status, diff


async def test_upgrade_downgrade_upgrade_leaves_the_schema_the_code_expects(empty_url):
    migrate.upgrade(empty_url)
    tables, status, diff = await tables_and_revision(empty_url)
    assert tables == {"events", "licenses", "license_history", "deliveries", "delivery_attempts",
                      "activations", "activation_history", "reconciliation", "rate_limits"}
    assert status.up_to_date and diff == []

    migrate.downgrade(empty_url, "base")
    tables, status, _ = await tables_and_revision(empty_url)
    assert tables == set() and not status.up_to_date and status.current is None

    migrate.upgrade(empty_url)
    tables, status, diff = await tables_and_revision(empty_url)
    assert status.up_to_date and diff == [] and len(tables) == 9
