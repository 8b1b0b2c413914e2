"""Mistakes a user makes in settings get one line naming the setting and the fix, from the
real `licensemint` command (issue 11, item 17)."""

from __future__ import annotations

import pytest

from entrypoints.diagnosis import database_problem
from tests.e2e.test_server_process import run_cli
from tests.support.postgres import free_port

COMMANDS = [("serve", "--port", "0"), ("migrate",), ("migrate", "--check"), ("licenses", "list"),
            ("events", "replay", "--failed")]


def one_line_error(result) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_postgresql_that_does_not_answer_is_one_line_naming_database_url(tmp_path, command):
    url = f"postgresql+asyncpg://licensemint:pw@127.0.0.1:{free_port()}/licensemint"
    line = one_line_error(run_cli(tmp_path, *command, DATABASE_URL=url))
    assert line.startswith("licensemint: DATABASE_URL:") and "connection refused" in line


@pytest.mark.postgres
@pytest.mark.parametrize("command", [("serve", "--port", "0"), ("migrate",), ("licenses", "list")])
def test_a_login_postgresql_refuses_is_one_line_naming_database_url(tmp_path, postgres_server, command):
    url = postgres_server.replace("postgres@", "nobody-here:wrong@")
    line = one_line_error(run_cli(tmp_path, *command, DATABASE_URL=url))
    assert line.startswith("licensemint: DATABASE_URL:") and "refused the login" in line


@pytest.mark.postgres
def test_a_database_that_does_not_exist_is_named(tmp_path, postgres_server):
    url = postgres_server.rsplit("/", 1)[0] + "/no_such_database"
    line = one_line_error(run_cli(tmp_path, "migrate", DATABASE_URL=url))
    assert "does not exist" in line and "DATABASE_URL" in line


def test_a_wrong_password_is_named_as_such():
    class InvalidPasswordError(Exception):
        sqlstate = "28P01"

    wrapped = RuntimeError("connect failed")
    wrapped.__cause__ = InvalidPasswordError('password authentication failed for user "x"')
    message = database_problem(wrapped, "postgresql+asyncpg://x:y@db:5432/app")
    assert message == ("DATABASE_URL: PostgreSQL at db:5432 (database app, user x) refused the password; "
                       "check the user and password in DATABASE_URL")


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_port_out_of_range_is_one_line(tmp_path, port):
    result = run_cli(tmp_path, "serve", "--port", port)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "is not a port number (0 to 65535)" in result.stderr


@pytest.mark.parametrize("command", [("licenses", "list"), ("migrate", "--check"), ("worker",),
                                     ("serve", "--port", "0"), ("events", "replay", "--failed")])
def test_a_mistyped_sqlite_path_is_named_and_no_database_is_created(tmp_path, command):
    mistyped = tmp_path / "var" / "licencemint.db"
    line = one_line_error(run_cli(tmp_path, *command, DATABASE_URL=f"sqlite:///{mistyped}"))
    assert f"no SQLite database at {mistyped}" in line and "licensemint migrate" in line
    assert not mistyped.exists()


def test_migrate_creates_the_sqlite_database_it_is_told_to(tmp_path):
    path = tmp_path / "data" / "new.db"
    result = run_cli(tmp_path, "migrate", DATABASE_URL=f"sqlite:///{path}")
    assert result.returncode == 0 and path.exists()
    assert run_cli(tmp_path, "licenses", "list", DATABASE_URL=f"sqlite:///{path}").returncode == 0


def test_a_signing_key_path_that_does_not_exist_is_named(tmp_path):
    line = one_line_error(run_cli(tmp_path, "serve", "--port", "0", LICENSE_SIGNING_KEY="keys/signing-key.pem"))
    assert "LICENSE_SIGNING_KEY: no file at keys/signing-key.pem" in line
