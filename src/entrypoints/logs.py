"""Logging set-up. Secrets and license keys must never reach a log line; libraries that log
SQL parameters at DEBUG (aiosqlite, SQLAlchemy's engine echo) would print keys and bodies,
so they are held at WARNING whatever LOG_LEVEL says; and aiohttp's reports of malformed
requests are cut down to the error's type.

LOG_FORMAT=json writes every line (the start-up banner included) as one JSON object, through
python-json-logger. Lines carry the ids of what they are about as fields: `request_id` (set
per HTTP request, also answered as X-Request-Id), `event_id`, `license_id`, `delivery_id`.
A webhook's lines carry its request id, event id and license id; the delivery worker's lines
carry the license id and delivery id, which is how a request is followed to its email
across processes."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from contextvars import ContextVar

from aiohttp.http_exceptions import HttpProcessingError

from core.domain.text import printable

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(process)d %(message)s"
CONTEXT_FIELDS = ("request_id", "event_id", "license_id", "delivery_id")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
license_id: ContextVar[str | None] = ContextVar("license_id", default=None)
delivery_id: ContextVar[str | None] = ContextVar("delivery_id", default=None)
_CONTEXT = {"request_id": request_id, "license_id": license_id, "delivery_id": delivery_id}

banner = logging.getLogger("licensemint.banner")
_json_mode = False

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


def quiet_leaky_loggers() -> None:
    for name in LEAKY:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    server = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, TerseBadRequests) for f in server.filters):
        server.addFilter(TerseBadRequests())


class EscapingFormatter(logging.Formatter):
    """Control characters in a message (a path, a variant name, an address from outside)
    are escaped, so no value can end a line and start a forged one. (In JSON mode the
    encoder escapes them.)"""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = printable(record.message)
        return super().formatMessage(record)


class ContextFields(logging.Filter):
    """Adds the ids of the request, license and delivery in hand to every record (fields
    given with `extra=` win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _CONTEXT.items():
            if getattr(record, name, None) is None:
                value = var.get()
                if value is not None:
                    setattr(record, name, value)
        return True


class _Ours(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler configure_logging installs (and replaces when called again). It writes to
    whatever sys.stderr or sys.stdout is when the line is written, as print() does."""

    def __init__(self, name: str) -> None:
        self._target = name
        super().__init__(getattr(sys, name))

    def emit(self, record: logging.LogRecord) -> None:
        current = getattr(sys, self._target)
        if self.stream is not current:
            self.setStream(current)
        super().emit(record)


class LogFormatError(ValueError):
    pass


def log_format(env: Mapping[str, str] | None = None) -> str:
    value = (os.environ if env is None else env).get("LOG_FORMAT", "text").strip().lower() or "text"
    if value not in FORMATS:
        raise LogFormatError(f"LOG_FORMAT: {value!r} is not text or json")
    return value


def _formatter(fmt: str, text_format: str) -> logging.Formatter:
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(
            JSON_FIELDS,
            rename_fields={"levelname": "level", "name": "logger", "process": "pid"},
            timestamp="time",  # ISO 8601, UTC
            # ASCII only: U+2028, U+0085 and their kind would end a line for some readers.
            json_ensure_ascii=True,
        )
    return EscapingFormatter(text_format)


def configure_logging() -> None:
    """Raises LogFormatError for an unknown LOG_FORMAT (before anything is written)."""
    global _json_mode
    fmt = log_format()
    _json_mode = fmt == "json"
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    root = logging.getLogger()
    for stale in [h for h in root.handlers if isinstance(h, _Ours)]:
        root.removeHandler(stale)
    if not root.handlers:  # like basicConfig: a host that set up logging keeps its handlers
        handler = _Ours("stderr")
        handler.setFormatter(_formatter(fmt, TEXT_FORMAT))
        handler.addFilter(ContextFields())
        root.addHandler(handler)
    root.setLevel(getattr(logging, level, logging.INFO))
    # The start-up banner goes to standard output whatever LOG_LEVEL says, as plain lines
    # or, in JSON mode, as JSON like everything else.
    out = _Ours("stdout")
    out.setFormatter(_formatter(fmt, "%(message)s"))
    for old in list(banner.handlers):
        banner.removeHandler(old)
    banner.addHandler(out)
    banner.setLevel(logging.INFO)
    banner.propagate = False
    quiet_leaky_loggers()


def json_mode() -> bool:
    """Whether lines go out as JSON: log lines that are shipped and kept, where the banner
    must not print the development secrets it prints on a terminal."""
    return _json_mode


def refuse(line: str) -> None:
    """Why the command stopped, on standard error: a plain line, or JSON in JSON mode."""
    if _json_mode:
        logging.getLogger("licensemint").error(line)
        return
    print(line, file=sys.stderr, flush=True)


def announce(line: str) -> None:
    """One line of the start-up banner (standard output)."""
    if not banner.handlers:  # logging not configured (a library caller): print as before
        print(line, flush=True)
        return
    banner.info(line)
    for handler in banner.handlers:
        handler.flush()
