"""LOG_FORMAT=json through a whole sale-to-email run of the real `licensemint serve`: every
line JSON (the banner too), one request id from the webhook to its event and license, and
the license id on to the delivery's lines; no secret or key in any log line."""

from __future__ import annotations

import json
import re
import signal
import time

from tests.bodies import sale_body
from tests.conftest import ADMIN_TOKEN, WEBHOOK_SECRET
from tests.e2e.test_server_process import KEY, LICENSEMINT, Server, env_for, wait_for_files


class JsonServer(Server):
    """The banner is JSON lines here: read until the database line."""

    def _read_banner(self) -> None:
        self.banner = []
        for line in self.proc.stdout:
            self.banner.append(line)
            if json.loads(line)["message"].startswith("database:"):
                break
        else:
            self.proc.wait(timeout=20)
            raise AssertionError(f"server exited: {self.stderr_path.read_text()}")
        messages = " ".join(json.loads(line)["message"] for line in self.banner)
        self.base = re.search(r"listening on (http://\S+)", messages).group(1)

    def stop(self) -> int:
        """Also keeps what the server wrote to standard output after the banner."""
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=20)
        self.rest = self.proc.stdout.read()
        self.proc.stdout.close()
        return code


def parsed(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip()]
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not JSON: {line!r}") from None
        assert isinstance(records[-1], dict) and {"time", "level", "logger", "message"} <= set(records[-1])
    return records


def test_a_sale_to_email_run_in_json_mode_writes_only_json_lines_that_follow_the_request(tmp_path):
    server = JsonServer(tmp_path, LOG_FORMAT="json", ADMIN_TOKENS=f"ops:{ADMIN_TOKEN}")
    try:
        assert server.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", sale_body()) == 200
        [eml] = wait_for_files(tmp_path / "var" / "mail", 1)
        [key] = set(KEY.findall(eml.read_text()))
        for _ in range(100):  # the worker's line after the send
            if '"licensemint.delivery"' in server.log:
                break
            time.sleep(0.05)
    finally:
        assert server.stop() == 0
    stdout = parsed("".join(server.banner) + server.rest)
    stderr = parsed(server.log)
    assert any("listening on" in r["message"] for r in stdout)

    [event_line] = [r for r in stderr if r["logger"] == "entrypoints.http.webhooks"]
    assert event_line["request_id"].startswith("req_") and event_line["event_id"].startswith("evt_")
    license_id = event_line["license_id"]
    assert license_id.startswith("lic_") and license_id in event_line["message"]
    [access] = [r for r in stderr if r["logger"] == "aiohttp.access" and "/webhooks/gumroad" in r["message"]]
    assert access["request_id"] == event_line["request_id"]
    [sent] = [r for r in stderr if r["logger"] == "licensemint.delivery"]
    assert sent["license_id"] == license_id and sent["delivery_id"] in eml.name and sent["outcome"] == "sent"

    everything = server.log + "".join(server.banner) + server.rest
    for secret in (WEBHOOK_SECRET, ADMIN_TOKEN, key, key.split(".")[3]):
        assert secret not in everything
    assert "PRIVATE KEY" not in everything and "password" not in everything.lower()


def test_an_unknown_log_format_stops_the_start_with_one_line(tmp_path):
    import subprocess

    result = subprocess.run([LICENSEMINT, "serve", "--port", "0"], cwd=tmp_path,
                            env=env_for(tmp_path, LOG_FORMAT="xml"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == "licensemint: LOG_FORMAT: 'xml' is not text or json"


def test_a_refused_start_in_json_mode_is_a_json_line(tmp_path):
    import subprocess

    result = subprocess.run([LICENSEMINT, "serve", "--port", "0", "--processes", "2"], cwd=tmp_path,
                            env=env_for(tmp_path, LOG_FORMAT="json"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    [line] = parsed(result.stderr)
    assert line["level"] == "ERROR" and "needs PostgreSQL" in line["message"]


def test_in_json_mode_the_development_banner_names_where_its_secret_and_token_are_kept(tmp_path):
    server = JsonServer(tmp_path, LOG_FORMAT="json", GUMROAD_WEBHOOK_SECRETS="", ADMIN_TOKENS="")
    try:
        pass
    finally:
        assert server.stop() == 0
    banner = " ".join(r["message"] for r in parsed("".join(server.banner)))
    secret = (tmp_path / "var" / "dev-webhook-secret").read_text().strip()
    token = (tmp_path / "var" / "dev-admin-token").read_text().strip()
    assert len(secret) >= 16 and len(token) >= 16
    assert secret not in banner and token not in banner
    assert "dev-webhook-secret" in banner and "dev-admin-token" in banner
