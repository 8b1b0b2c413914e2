"""clients/go as an app developer uses it: `go vet` and `go test ./...` (every vector and
machineHash), and its command line on a key minted by a running licensemint with the public
keys from `GET /v1/keys`. Go's caches live in a temporary directory, and nothing is fetched."""

from __future__ import annotations

import os
import re

import pytest

from tests.clients.conftest import (
    CLIENTS, assert_cli_accepts_the_live_lease, assert_cli_judges_the_live_key, key_args,
    lease_args, require, run,
)


GO = CLIENTS / "go"


@pytest.fixture(scope="module")
def go_env(tmp_path_factory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("go")
    return {
        **os.environ,
        "GOCACHE": str(home / "cache"),
        "GOPATH": str(home / "gopath"),
        "GOPROXY": "off",  # standard library only: no module may be downloaded
        "GOFLAGS": "",
        "CGO_ENABLED": "0",
    }


def test_the_go_client_is_vet_clean_and_passes_its_own_tests_on_every_vector(vectors, go_env):
    go = require("go")
    run([go, "vet", "./..."], cwd=GO, env=go_env)
    done = run([go, "test", "-count=1", "-v", "./..."], cwd=GO, env=go_env)
    assert "--- FAIL" not in done.stdout
    assert re.search(r"^ok\s+\S+/clients/go\s", done.stdout, re.M), done.stdout[-2000:]
    counted = re.search(r"^(\d+) passed, (\d+) failed$", done.stdout, re.M)
    assert counted, "the vector test printed no 'N passed, N failed' line"
    expected = len(vectors["cases"]) + len(vectors.get("machines", []))
    assert (int(counted.group(1)), int(counted.group(2))) == (expected, 0)
    assert "--- PASS: Example " in done.stdout  # the README's example, with its output checked


def test_the_go_command_line_accepts_a_key_minted_by_the_running_server(live_license, go_env, tmp_path):
    go = require("go")
    binary = tmp_path / "licensemint-verify"
    run([go, "build", "-o", str(binary), "./cmd/licensemint-verify"], cwd=GO, env=go_env)
    assert_cli_judges_the_live_key([str(binary), *key_args(live_license)], live_license, cwd=tmp_path, timeout=60)


def test_the_go_command_line_accepts_a_lease_issued_by_the_running_server_for_this_machine(live_lease, go_env,
                                                                                             tmp_path):
    go = require("go")
    binary = tmp_path / "licensemint-verify"
    run([go, "build", "-o", str(binary), "./cmd/licensemint-verify"], cwd=GO, env=go_env)
    done = run([str(binary), *lease_args(live_lease)], cwd=tmp_path, timeout=60)
    claims = assert_cli_accepts_the_live_lease(done, live_lease)

    # The library's MachineHash, from an app module that requires the package by its path.
    app = tmp_path / "app"
    app.mkdir()
    (app / "go.mod").write_text(
        "module example.com/app\n\ngo 1.19\n\nrequire github.com/licensemint/licensemint/clients/go v0.0.0\n\n"
        f"replace github.com/licensemint/licensemint/clients/go => {GO}\n"
    )
    (app / "main.go").write_text(
        'package main\n\nimport (\n\t"fmt"\n\t"os"\n\n\tlicensemint "github.com/licensemint/licensemint/clients/go"\n)\n\n'
        "func main() { fmt.Println(licensemint.MachineHash(os.Args[1])) }\n"
    )
    hashed = run([go, "run", ".", live_lease.fingerprint], cwd=app, env=go_env, timeout=300)
    assert hashed.stdout.strip() == claims["machine"]
