"""docs/operations.md stays true: its CLI commands parse, its HTTP calls are real routes."""

import re
import shlex
from pathlib import Path

import pytest

from entrypoints.cli import parser
from entrypoints.http.openapi import spec

DOC = (Path(__file__).parents[1] / "docs/operations.md").read_text()
BLOCKS = "\n".join(re.findall(r"```sh\n(.*?)```", DOC, flags=re.S)).replace("\\\n", " ")
CLI = [line.split("#")[0].strip() for line in BLOCKS.splitlines() if line.strip().startswith(".venv/bin/licensemint ")]
CURL = [line for line in BLOCKS.splitlines() if line.strip().startswith("curl ")]


@pytest.mark.parametrize("command", CLI)
def test_each_cli_command_in_the_doc_parses(command):
    argv = shlex.split(command.replace("…", "x"))[1:]
    parser().parse_args(argv)


@pytest.mark.parametrize("command", CURL)
def test_each_http_call_in_the_doc_is_in_the_openapi_document(command):
    method = re.search(r"-X (\w+)", command)
    method = (method.group(1) if method else "GET").lower()
    path = re.search(r'\$BASE(/[^"?\s]*)', command).group(1).replace("…", "x")
    templates = [t for t in spec()["paths"] if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", t), path)]
    assert templates and method in spec()["paths"][templates[0]], f"{method} {path}"


def test_the_doc_covers_every_admin_operation():
    assert len(CLI) >= 12 and len(CURL) >= 12
    for group in ("licenses list", "licenses show", "licenses mint", "licenses revoke", "licenses resend",
                  "events list", "events show", "events replay", "deliveries list", "deliveries retry",
                  "licenses seats", "activations list", "activations deactivate", "activations reset"):
        assert any(c.startswith(f".venv/bin/licensemint {group}") for c in CLI), group
