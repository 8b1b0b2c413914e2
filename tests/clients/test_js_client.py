"""clients/js as an app developer uses it: its own `node --test` suite (every vector through
node:crypto and WebCrypto), its example, and its command line on a key minted by a running
licensemint with the public keys from `GET /v1/keys`."""

from __future__ import annotations

import re

from tests.clients.conftest import (
    CLIENTS, assert_cli_accepts_the_live_lease, assert_cli_judges_the_live_key, key_args,
    lease_args, require, run,
)


JS = CLIENTS / "js"


def test_the_js_client_passes_its_own_tests_on_every_vector_through_both_crypto_paths(vectors):
    node = require("node")
    done = run([node, "--test", "--test-reporter=tap"], cwd=JS)
    assert re.search(r"^# fail 0$", done.stdout, re.M), done.stdout[-2000:]
    total = int(re.search(r"^# pass (\d+)$", done.stdout, re.M).group(1))
    counted = re.search(r"^# (\d+) passed, (\d+) failed$", done.stdout, re.M)
    assert counted, "the vector test printed no 'N passed, N failed' line"
    # Both verifiers ran every case and every machine of the file.
    expected = 2 * (len(vectors["cases"]) + len(vectors.get("machines", [])))
    assert (int(counted.group(1)), int(counted.group(2))) == (expected, 0)
    assert total > expected  # plus the hand-made rules, loaders and CLI tests


def test_the_js_readme_example_runs(vectors):
    done = run([require("node"), "example.js"], cwd=JS)
    assert done.stdout.startswith("licensed: acmesoft-pro ")


def test_the_js_command_line_accepts_a_key_minted_by_the_running_server(live_license):
    node = require("node")
    cli = [node, "bin/licensemint-verify.js", *key_args(live_license)]
    assert_cli_judges_the_live_key(cli, live_license, cwd=JS, timeout=60)


def test_the_js_command_line_accepts_a_lease_issued_by_the_running_server_for_this_machine(live_lease):
    node = require("node")
    done = run([node, "bin/licensemint-verify.js", *lease_args(live_lease)], cwd=JS, timeout=60)
    claims = assert_cli_accepts_the_live_lease(done, live_lease)
    hashed = run([node, "--input-type=module", "-e",
                  "import { machineHash } from './src/node.js'; console.log(machineHash(process.argv[1]))",
                  live_lease.fingerprint], cwd=JS, timeout=60)
    assert hashed.stdout.strip() == claims["machine"]
