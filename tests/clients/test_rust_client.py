"""The Rust client (clients/rust), built and tested by cargo from Debian's packaged crates,
and its `licensemint-verify` binary run on a key minted by a running licensemint."""

from __future__ import annotations

import json
import os
import re
import subprocess

from tests.clients.conftest import CLIENTS, assert_cli_accepts_the_live_lease, lease_args, require, run

CRATE = CLIENTS / "rust"
TARGET = CRATE / "target"  # gitignored; the default, so a developer's own `cargo test` shares it
VERIFY = TARGET / "debug" / "licensemint-verify"
# RFC 8032's first test key: a well-formed public key that signed none of licensemint's keys.
FOREIGN_KEY = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"


def cargo(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET), CARGO_TERM_COLOR="never")
    return run([require("cargo"), *args], cwd=CRATE, env=env)


def test_cargo_test_passes_every_vector_case_the_unit_tests_and_the_readme_example(vectors):
    done = cargo("test", "--no-fail-fast")
    summary = re.findall(r"^(\d+) passed, (\d+) failed$", done.stdout, re.MULTILINE)
    assert summary, f"no 'N passed, N failed' line from the vector test:\n{done.stdout[-3000:]}"
    passed, failed = map(int, summary[-1])
    assert failed == 0
    assert passed == len(vectors["cases"]) + len(vectors.get("machines", [])) > 0
    # The unit tests, the CLI's and the README's example ran too (libtest's own summaries).
    assert "Doc-tests licensemint" in done.stderr
    results = re.findall(r"^test result: (\w+)\. (\d+) passed", done.stdout, re.MULTILINE)
    assert results and all(status == "ok" for status, _ in results)
    assert sum(int(n) for _, n in results) > 0


def verify(*args: str) -> tuple[int, dict]:
    cargo("build", "--bin", "licensemint-verify")
    done = subprocess.run([str(VERIFY), *args], capture_output=True, text=True, timeout=60)
    [line] = done.stdout.splitlines()
    return done.returncode, json.loads(line)


def test_the_cli_verifies_a_key_minted_by_the_server_with_the_keys_it_publishes(live_license):
    keys = [arg for key in live_license.public_keys for arg in ("--public-key", key)]
    status, result = verify(*keys, live_license.key)
    assert (status, result["code"]) == (0, "VALID")
    assert result["claims"]["product"] == "acmesoft-pro"
    assert result["claims"]["v"] == 1


def test_the_cli_answers_bad_signature_and_exits_1_for_a_key_it_has_no_public_key_for(live_license):
    status, result = verify("--public-key", FOREIGN_KEY, live_license.key)
    assert (status, result) == (1, {"code": "BAD_SIGNATURE", "claims": None})


def test_the_cli_accepts_a_lease_issued_by_the_running_server_for_this_machine(live_lease, tmp_path):
    cargo("build", "--bin", "licensemint-verify")
    done = run([str(VERIFY), *lease_args(live_lease)], cwd=tmp_path, timeout=60)
    claims = assert_cli_accepts_the_live_lease(done, live_lease)

    # The library's machine_hash, from an app crate that depends on it by path (offline, as
    # the crate itself builds: same Debian registry, same target directory).
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    (app / ".cargo").mkdir()
    (app / ".cargo" / "config.toml").write_text((CRATE / ".cargo" / "config.toml").read_text())
    (app / "Cargo.toml").write_text(
        '[package]\nname = "hash-app"\nversion = "0.0.0"\nedition = "2021"\n\n'
        f'[dependencies]\nlicensemint = {{ path = "{CRATE}" }}\n'
    )
    (app / "src" / "main.rs").write_text(
        "fn main() {\n    let fingerprint = std::env::args().nth(1).expect(\"a fingerprint\");\n"
        "    println!(\"{}\", licensemint::machine_hash(&fingerprint));\n}\n"
    )
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET), CARGO_TERM_COLOR="never")
    hashed = run([require("cargo"), "run", "--quiet", "--", live_lease.fingerprint], cwd=app, env=env, timeout=600)
    assert hashed.stdout.strip() == claims["machine"]
