"""What every client library's tests share: the vector file, the toolchain check, a key
minted by a real licensemint process with its public keys from `GET /v1/keys`, and a lease
that process issued (`live_lease`, tests/clients/live_lease.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.clients.live_lease import LiveLease
from tests.clients.live_lease import live_lease  # noqa: F401  (fixture for every client's tests)
from tests.conftest import ROOT, WEBHOOK_SECRET, gumroad_body
from tests.e2e.test_server_process import KEY, Server, wait_for_files

CLIENTS = ROOT / "clients"
VECTORS = CLIENTS / "vectors" / "v1.json"


def require(tool: str) -> str:
    """The path of a toolchain binary; a missing toolchain fails the test, never skips it
    (scripts/test installs every one listed in scripts/packages/)."""
    found = shutil.which(tool)
    if not found:
        pytest.fail(f"{tool} is not installed: run ./scripts/test, which installs the client toolchains")
    return found


def run(argv: list[str], cwd: Path, timeout: float = 600, **kw) -> subprocess.CompletedProcess:
    """Runs a client's own build or test command; fails the test with its output otherwise."""
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, **kw)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(argv)} exited {done.returncode}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return done


@pytest.fixture(scope="session")
def vectors() -> dict:
    if not VECTORS.is_file():
        pytest.fail(f"{VECTORS} is missing")
    data = json.loads(VECTORS.read_text(encoding="utf-8"))
    assert data["cases"], "the vector file has no cases"
    return data


@dataclass(frozen=True)
class LiveLicense:
    key: str
    public_keys: list[str]
    """As `GET /v1/keys` publishes them."""
    base: str


@pytest.fixture(scope="session")
def live_license(tmp_path_factory):
    """A key minted from the sample sale by a running `licensemint serve`."""
    tmp_path = tmp_path_factory.mktemp("live")
    server = Server(tmp_path)
    try:
        assert server.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", gumroad_body("01_sale_licensed_basic")) == 200
        [eml] = wait_for_files(tmp_path / "var" / "mail", 1)
        [key] = set(KEY.findall(eml.read_text()))
        with urllib.request.urlopen(server.base + "/v1/keys", timeout=10) as response:
            published = json.load(response)["keys"]
        yield LiveLicense(key=key, public_keys=[k["public_key"] for k in published], base=server.base)
    finally:
        assert server.stop() == 0


def assert_cli_accepts_the_live_lease(done: subprocess.CompletedProcess, live_lease: LiveLease) -> dict:
    """A client CLI's answer (`--lease` on the live lease): VALID, for this machine and license."""
    result = json.loads(done.stdout)
    assert result["code"] == "VALID", result
    claims = result["claims"]
    assert claims["machine"] == live_lease.machine and claims["lid"] == live_lease.lid, claims
    assert (claims["v"], claims["product"]) == (1, "acmesoft-pro")
    return claims


def lease_args(live_lease: LiveLease) -> list[str]:
    """Every published key, `--lease`, then the lease: the same command line for every client."""
    return [*(arg for key in live_lease.public_keys for arg in ("--public-key", key)), "--lease", live_lease.lease]


def tamper(key: str) -> str:
    """The key with one signature character changed, still canonical base64url."""
    i = len(key) - 10
    return key[:i] + ("B" if key[i] != "B" else "C") + key[i + 1:]


def kid_of(public_key: str) -> str:
    raw = base64.b64decode(public_key.replace("-", "+").replace("_", "/") + "=" * (-len(public_key) % 4))
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:8]).rstrip(b"=").decode()


def key_args(live: LiveLicense) -> list[str]:
    return [arg for key in live.public_keys for arg in ("--public-key", key)]


def assert_cli_judges_the_live_key(cli: list[str], live: LiveLicense, *, cwd: Path, timeout: float) -> None:
    """A client's CLI (its argv with the public keys) says VALID for the live key, and
    BAD_SIGNATURE with exit 1 for the same key with one signature character changed."""
    done = run([*cli, live.key], cwd=cwd, timeout=timeout)
    result = json.loads(done.stdout)
    assert result["code"] == "VALID" and result["claims"]["product"] == "acmesoft-pro"

    bad = subprocess.run([*cli, tamper(live.key)], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert bad.returncode == 1
    assert json.loads(bad.stdout) == {"code": "BAD_SIGNATURE", "claims": None}

