"""Schemathesis fuzzes a running server from its own /openapi.json: no 5xx, and no answer
that breaks the document (status, content type, body schema). Bounded in examples and time."""

import subprocess
import sys
from pathlib import Path

from tests.conftest import ADMIN_TOKEN, WEBHOOK_SECRET
from tests.e2e.test_server_process import Server

ST = str(Path(sys.executable).with_name("st"))


def test_schemathesis_finds_no_server_error_and_no_response_off_the_document(tmp_path):
    server = Server(tmp_path, ADMIN_TOKENS=f"alice:{ADMIN_TOKEN}", VALIDATE_RATE_LIMIT="0",
                    ACTIVATION_RATE_LIMIT="0")
    try:
        result = subprocess.run(
            [ST, "run", f"{server.base}/openapi.json", "-H", f"Authorization: Bearer {ADMIN_TOKEN}",
             "--max-examples", "8", "--max-time", "40", "--seed", "20261128", "--no-shrink",
             "--phases", "examples,coverage,fuzzing", "--generation-database", "none",
             "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                         "response_schema_conformance"],
            capture_output=True, text=True, timeout=180, cwd=tmp_path,
        )
    finally:
        server.stop()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Tested: 27" in output and " failed" not in output.split("SUMMARY")[-1]
    assert WEBHOOK_SECRET not in server.log
    assert "Traceback" not in server.log, server.log[-3000:]
