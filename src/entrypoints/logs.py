"""Logging set-up. Secrets and license keys must never reach a log line; libraries that log
SQL parameters at DEBUG (aiosqlite, SQLAlchemy's engine echo) would print keys and bodies,
so they are held at WARNING whatever LOG_LEVEL says."""

from __future__ import annotations

import logging
import os
import sys

LEAKY = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool")


def quiet_leaky_loggers() -> None:
    for name in LEAKY:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def configure_logging() -> None:
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    quiet_leaky_loggers()
