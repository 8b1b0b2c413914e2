"""Logging set-up: JSON lines with the context ids, the banner on standard output, an
unknown format refused."""

from __future__ import annotations

import json
import logging

import pytest

from entrypoints import logs


@pytest.fixture
def json_logging(monkeypatch):
    root = logging.getLogger()
    kept = list(root.handlers), root.level
    for handler in kept[0]:
        root.removeHandler(handler)
    monkeypatch.setenv("LOG_FORMAT", "json")
    logs.configure_logging()
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in kept[0]:
        root.addHandler(handler)
    root.setLevel(kept[1])
    for handler in list(logs.banner.handlers):
        logs.banner.removeHandler(handler)
    logs._json_mode = False


def test_json_lines_carry_the_ids_in_context_and_extra_fields_win(json_logging, capsys):
    token = logs.request_id.set("req_0123456789abcdef")
    try:
        logging.getLogger("t").info("event %s done", "evt_1", extra={"event_id": "evt_1"})
        logs.license_id.set("lic_A")
        logging.getLogger("t").warning("explicit", extra={"license_id": "lic_B"})
    finally:
        logs.request_id.reset(token)
        logs.license_id.set(None)
    first, second = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert first["message"] == "event evt_1 done" and first["level"] == "INFO" and first["logger"] == "t"
    assert first["request_id"] == "req_0123456789abcdef" and first["event_id"] == "evt_1"
    assert isinstance(first["pid"], int) and first["time"].endswith("+00:00")
    assert second["license_id"] == "lic_B"


def test_the_banner_is_json_on_standard_output_and_a_refusal_on_standard_error(json_logging, capsys):
    logs.announce("licensemint listening on http://127.0.0.1:1")
    logs.refuse("licensemint: no")
    out, err = capsys.readouterr()
    assert json.loads(out)["message"] == "licensemint listening on http://127.0.0.1:1"
    assert json.loads(err)["message"] == "licensemint: no" and json.loads(err)["level"] == "ERROR"


def test_an_unknown_format_is_refused_naming_the_variable():
    with pytest.raises(logs.LogFormatError, match="LOG_FORMAT: 'yaml' is not text or json"):
        logs.log_format({"LOG_FORMAT": "yaml"})
    assert logs.log_format({}) == "text" and logs.log_format({"LOG_FORMAT": " JSON "}) == "json"


def test_metrics_settings_name_the_variable_and_default_to_loopback(tmp_path):
    from entrypoints.settings import SettingsError, load_settings

    base = {"LICENSEMINT_VAR_DIR": str(tmp_path)}
    assert load_settings(base).metrics_port is None
    settings = load_settings({**base, "METRICS_PORT": "9108"})
    assert settings.metrics_port == 9108 and settings.metrics_host == "127.0.0.1"
    assert load_settings({**base, "METRICS_PORT": "0", "METRICS_HOST": "10.0.0.5"}).metrics_host == "10.0.0.5"
    for bad, message in (("nine", "METRICS_PORT: 'nine' is not a whole number"), ("70000", "METRICS_PORT: must be"),
                         ("-1", "METRICS_PORT: must be at least 0")):
        with pytest.raises(SettingsError, match=message):
            load_settings({**base, "METRICS_PORT": bad})
