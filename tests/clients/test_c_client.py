"""clients/c as a C/C++ developer uses it: `make` with -Wall -Wextra -Werror -std=c99 -pedantic
(static library, CLI, example, test runner), the runner on every vector and machineHash, again
under AddressSanitizer and UndefinedBehaviorSanitizer, and the CLI and README example on a key
minted by a running licensemint with the public keys from `GET /v1/keys`."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.clients.conftest import (
    CLIENTS, VECTORS, assert_cli_accepts_the_live_lease, assert_cli_judges_the_live_key, key_args,
    kid_of, lease_args, require, run,
)

C = CLIENTS / "c"
BUILD = C / "build"


def toolchain() -> str:
    for tool in ("cc", "ar", "pkg-config"):
        require(tool)
    return require("make")


@pytest.fixture(scope="module")
def built() -> None:
    run([toolchain(), "-B", "all"], cwd=C)


def assert_every_vector_passed(stdout: str, vectors: dict) -> None:
    counted = re.search(r"^(\d+) passed, (\d+) failed$", stdout, re.M)
    assert counted, "the runner printed no 'N passed, N failed' line"
    machines = len(vectors.get("machines", []))
    assert f"{len(vectors['cases'])} vector cases, {machines} machine hashes" in stdout
    assert int(counted.group(2)) == 0
    assert int(counted.group(1)) >= len(vectors["cases"]) + machines > 0


def test_the_c_client_builds_warning_free_and_passes_every_vector(vectors, built):
    done = run([toolchain(), "test", f"VECTORS={VECTORS}"], cwd=C)
    assert_every_vector_passed(done.stdout, vectors)


def test_the_c_client_passes_every_vector_under_address_and_undefined_behaviour_sanitizers(vectors):
    done = run([toolchain(), "-B", "sanitize", f"VECTORS={VECTORS}"], cwd=C)
    assert "-fsanitize=address,undefined" in done.stdout
    assert_every_vector_passed(done.stdout, vectors)


def test_the_c_command_line_accepts_a_key_minted_by_the_running_server(live_license, built, tmp_path):
    cli = [str(BUILD / "licensemint-verify"), *key_args(live_license)]
    assert_cli_judges_the_live_key(cli, live_license, cwd=tmp_path, timeout=60)

    lease = subprocess.run([*cli, "--lease", live_license.key], capture_output=True, text=True, timeout=60)
    assert (lease.returncode, json.loads(lease.stdout)["code"]) == (1, "MALFORMED")


def test_the_c_readme_example_runs_on_the_live_key(live_license, built, tmp_path):
    kid = live_license.key.split(".")[1]
    [public_key] = [k for k in live_license.public_keys if kid_of(k) == kid]
    done = run([str(BUILD / "example"), public_key, live_license.key], cwd=tmp_path, timeout=60)
    assert done.stdout.splitlines()[0] == "licensed: acmesoft-pro"


def test_the_c_command_line_accepts_a_lease_issued_by_the_running_server_for_this_machine(live_lease, built, tmp_path):
    done = run([str(BUILD / "licensemint-verify"), *lease_args(live_lease)], cwd=tmp_path, timeout=60)
    claims = assert_cli_accepts_the_live_lease(done, live_lease)

    (tmp_path / "hash.c").write_text(
        '#include <stdio.h>\n#include <string.h>\n#include "licensemint_verify.h"\n'
        "int main(int argc, char **argv) {\n    char out[65];\n    if (argc != 2) return 2;\n"
        "    lm_machine_hash(argv[1], strlen(argv[1]), out);\n    puts(out);\n    return 0;\n}\n"
    )
    sodium = run([require("pkg-config"), "--cflags", "--libs", "libsodium"], cwd=tmp_path).stdout.split()
    run([require("cc"), "-std=c99", "-Wall", "-Wextra", "-Werror", f"-I{C}", "hash.c",
         str(BUILD / "liblicensemint_verify.a"), *sodium, "-o", "hash"], cwd=tmp_path)
    hashed = run([str(tmp_path / "hash"), live_lease.fingerprint], cwd=tmp_path, timeout=60)
    assert hashed.stdout.strip() == claims["machine"]
