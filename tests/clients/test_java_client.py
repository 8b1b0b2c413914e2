"""clients/java as a JVM app developer uses it: built with the JDK alone (`build.sh`: javac
--release 15, jar), its own framework-free test runner on every vector and machineHash, and its
command line and README example on a key minted by a running licensemint with the public keys
from `GET /v1/keys`."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.clients.conftest import (
    CLIENTS, VECTORS, assert_cli_accepts_the_live_lease, assert_cli_judges_the_live_key, key_args,
    kid_of, lease_args, require, run,
)

JAVA = CLIENTS / "java"
CLASSES = JAVA / "build" / "classes"


@pytest.fixture(scope="module")
def built() -> None:
    require("javac")
    require("jar")
    run(["bash", str(JAVA / "build.sh")], cwd=JAVA)


def test_the_java_client_builds_with_the_jdk_alone_and_passes_every_vector(vectors, built):
    java = require("java")
    done = subprocess.run(
        [java, "-cp", f"{CLASSES}:{JAVA / 'build' / 'test-classes'}", "dev.licensemint.verify.VectorTest", str(VECTORS)],
        cwd=JAVA, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    counted = re.search(r"^(\d+) passed, (\d+) failed$", done.stdout, re.M)
    assert counted, "the runner printed no 'N passed, N failed' line"
    machines = len(vectors.get("machines", []))
    assert f"{len(vectors['cases'])} vector cases, {machines} machine hashes" in done.stdout
    assert int(counted.group(2)) == 0
    assert int(counted.group(1)) >= len(vectors["cases"]) + machines > 0


def test_the_java_command_line_accepts_a_key_minted_by_the_running_server(live_license, built, tmp_path):
    java = require("java")
    cli = [java, "-cp", str(CLASSES), "dev.licensemint.verify.Cli", *key_args(live_license)]
    assert_cli_judges_the_live_key(cli, live_license, cwd=tmp_path, timeout=120)

    lease = subprocess.run([*cli, "--lease", live_license.key], capture_output=True, text=True, timeout=120)
    assert (lease.returncode, json.loads(lease.stdout)["code"]) == (1, "MALFORMED")


def test_the_java_readme_example_runs_on_the_live_key(live_license, built, tmp_path):
    java = require("java")
    kid = live_license.key.split(".")[1]
    [public_key] = [k for k in live_license.public_keys if kid_of(k) == kid]
    done = run(
        [java, "-cp", f"{CLASSES}:{JAVA / 'build' / 'example-classes'}", "Example", public_key, live_license.key],
        cwd=tmp_path, timeout=120,
    )
    assert done.stdout.splitlines()[0] == "licensed: acmesoft-pro"


def test_the_java_command_line_accepts_a_lease_issued_by_the_running_server_for_this_machine(live_lease, built,
                                                                                               tmp_path):
    java = require("java")
    done = run([java, "-cp", str(CLASSES), "dev.licensemint.verify.Cli", *lease_args(live_lease)],
               cwd=tmp_path, timeout=120)
    claims = assert_cli_accepts_the_live_lease(done, live_lease)

    (tmp_path / "Hash.java").write_text(
        "public class Hash { public static void main(String[] args) {"
        " System.out.println(dev.licensemint.verify.Verifier.machineHash(args[0])); } }\n"
    )
    run([require("javac"), "-cp", str(CLASSES), "-d", str(tmp_path), str(tmp_path / "Hash.java")], cwd=tmp_path)
    hashed = run([java, "-cp", f"{CLASSES}:{tmp_path}", "Hash", live_lease.fingerprint], cwd=tmp_path, timeout=120)
    assert hashed.stdout.strip() == claims["machine"]
