"""Logging set-up. Secrets and license keys must never reach a log line; libraries that log
SQL parameters at DEBUG (aiosqlite, SQLAlchemy's engine echo) would print keys and bodies,
so they are held at WARNING whatever LOG_LEVEL says; and aiohttp's reports of malformed
requests are cut down to the error's type."""

from __future__ import annotations

import logging
import os
import sys

from aiohttp.http_exceptions import HttpProcessingError

from core.domain.text import printable

LEAKY = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool")


class TerseBadRequests(logging.Filter):
    """aiohttp logs a malformed HTTP request with a traceback whose message can quote the
    request line, query string (and webhook secret) included: keep only the error's type."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], HttpProcessingError):
            remote = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.msg = "malformed HTTP request from %s (%s); answered 400"
            record.args = (remote, type(record.exc_info[1]).__name__)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


class EscapingFormatter(logging.Formatter):
    """Control characters in a message (a path, a variant name, an address from outside)
    are escaped, so no value can end a line and start a forged one."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = printable(record.message)
        return super().formatMessage(record)


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def quiet_leaky_loggers() -> None:
    for name in LEAKY:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    server = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, TerseBadRequests) for f in server.filters):
        server.addFilter(TerseBadRequests())


def configure_logging() -> None:
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EscapingFormatter(LOG_FORMAT))
    logging.basicConfig(level=getattr(logging, level, logging.INFO), handlers=[handler])
    quiet_leaky_loggers()
