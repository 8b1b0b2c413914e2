"""docs/operations.md works as written from the project folder, against the development
server `./scripts/run` starts (issue 11, item 18)."""

from __future__ import annotations

import json
import re
import subprocess

from tests.conftest import ROOT, WEBHOOK_SECRET, gumroad_body
from tests.e2e.test_server_process import Server, env_for

DOC = (ROOT / "docs" / "operations.md").read_text()
PREAMBLE = re.search(r"```sh\n(BASE=.*?)```", DOC, flags=re.S).group(1)


def run_as_written(tmp_path, base: str, commands: str) -> str:
    script = PREAMBLE.replace("http://127.0.0.1:8080", base) + commands
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env_for(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_development_server_prints_an_admin_token_that_the_docs_commands_use(tmp_path):
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    server = Server(tmp_path)  # no ADMIN_TOKENS, development: as ./scripts/run
    try:
        token = (tmp_path / "var" / "dev-admin-token").read_text().strip()
        [line] = [line for line in server.banner if line.startswith("Admin token (development")]
        assert "dev-admin-token" in line and line.rstrip().endswith(token)
        assert server.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", gumroad_body("01_sale_licensed_basic")) == 200
        [curl] = [line for line in DOC.splitlines() if line.startswith("curl") and "email=jane.doe" in line]
        [cli] = [line for line in DOC.splitlines() if line.startswith(".venv/bin/licensemint licenses list --email")]
        http_answer = run_as_written(tmp_path, server.base, curl + "\n")
        cli_table = run_as_written(tmp_path, server.base, cli + "\n")
        assert [x["email"] for x in json.loads(http_answer)["items"]] == ["jane.doe@example.com"]
        assert cli_table.startswith("ID ") and "jane.doe@example.com" in cli_table
    finally:
        server.stop()
    assert token not in server.log
