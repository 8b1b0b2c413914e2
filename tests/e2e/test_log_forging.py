"""No value from outside can end a log line and start a forged one (issue 11, item 8): a real
`licensemint serve` process, its real log."""

from __future__ import annotations

import logging
import re
import sqlite3
import time

from entrypoints.logs import TEXT_FORMAT, EscapingFormatter
from tests.bodies import sale_body
from tests.conftest import WEBHOOK_SECRET
from tests.e2e.test_server_process import Server, raw_request

FORGED = "2026-11-29 00:00:00,000 INFO entrypoints.worker: FORGED"
LINE_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ [\w.]+: ")


def forged_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if "FORGED" in line and line.startswith(FORGED[:23])]


def test_a_line_break_in_the_path_or_a_variant_cannot_forge_a_log_line(tmp_path):
    server = Server(tmp_path)
    try:
        encoded = FORGED.replace(" ", "%20")
        answer = raw_request(server.base, f"GET /zz%0D%0A{encoded} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 404")
        body = sale_body(product_id="not-in-the-catalog", **{"variants[Tier]": f"x\r\n{FORGED}"})
        assert server.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", body) == 200
        time.sleep(0.3)
    finally:
        assert server.stop() == 0
    log = server.log
    assert "FORGED" in log  # it was logged, escaped or encoded, on the line it belongs to
    assert forged_lines(log) == []
    assert all(LINE_START.match(line) or line.startswith((" ", "Traceback")) for line in log.splitlines() if line)
    with sqlite3.connect(tmp_path / "var" / "licensemint.db") as db:
        [(status, outcome)] = db.execute("SELECT status, outcome FROM events").fetchall()
    assert status == "failed" and "\\r\\n" in outcome and "\n" not in outcome and "\r" not in outcome


def test_the_log_formatter_escapes_control_characters_in_every_message():
    formatter = EscapingFormatter(TEXT_FORMAT)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "value %s", (f"a\r\n{FORGED}\x00\x1b[31m",), None)
    line = formatter.format(record)
    assert "\n" not in line and "\r" not in line and "\x00" not in line and "\x1b" not in line
    assert line.endswith("value a\\r\\n" + FORGED + "\\x00\\x1b[31m")


def test_a_json_line_keeps_control_characters_inside_its_one_object(monkeypatch):
    import json

    from entrypoints.logs import _formatter

    formatter = _formatter("json", TEXT_FORMAT)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "value %s", (f"a\r\n{FORGED}\x00",), None)
    line = formatter.format(record)
    assert "\n" not in line and "\r" not in line and "\x00" not in line
    assert json.loads(line)["message"] == f"value a\r\n{FORGED}\x00"
