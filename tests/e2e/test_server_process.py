"""`licensemint` as a user runs it: a real server process, real HTTP, real files."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, WEBHOOK_SECRET, gumroad_body

LICENSEMINT = str(Path(sys.executable).with_name("licensemint"))
KEY = re.compile(r"LIC1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "APP_ENV", "LOG_LEVEL")}
    env.update({
        "LICENSEMINT_VAR_DIR": str(tmp_path / "var"),
        "GUMROAD_WEBHOOK_SECRETS": WEBHOOK_SECRET,
    })
    env.update(extra)
    return env


class Server:
    def __init__(self, tmp_path: Path, *args: str, **env: str) -> None:
        self.stderr_path = tmp_path / "server.log"
        with self.stderr_path.open("w") as stderr:
            self.proc = self._spawn(tmp_path, stderr, args, env)
        self._read_banner()

    def _spawn(self, tmp_path, stderr, args, env):
        return subprocess.Popen(
            [LICENSEMINT, "serve", "--port", "0", *args],
            cwd=tmp_path, env=env_for(tmp_path, **env), text=True,
            stdout=subprocess.PIPE, stderr=stderr,
        )

    def _read_banner(self) -> None:
        self.banner = []
        for line in self.proc.stdout:
            self.banner.append(line)
            if line.startswith("database:"):
                break
        else:
            self.proc.wait(timeout=20)
            self.proc.stdout.close()
            raise AssertionError(f"server exited: {self.stderr_path.read_text()}")
        self.base = re.search(r"listening on (http://\S+)", "".join(self.banner)).group(1)

    def post(self, path: str, body: bytes) -> int:
        request = urllib.request.Request(
            self.base + path, data=body, method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=20)
        self.proc.stdout.close()
        return code

    @property
    def log(self) -> str:
        return self.stderr_path.read_text()


def raw_request(base: str, text: str) -> bytes:
    """Bytes on the wire, for requests no HTTP client would send."""
    import socket

    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(text.encode("latin-1"))
        return sock.recv(1000)


def wait_for_files(directory: Path, count: int, timeout: float = 10.0) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(directory.glob("*.eml")) if directory.exists() else []
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{count} email(s) expected in {directory}")


def test_a_new_user_posts_the_sample_sale_and_gets_a_verifiable_key_once(tmp_path):
    server = Server(tmp_path)
    try:
        banner = "".join(server.banner)
        assert f"/webhooks/gumroad?secret={WEBHOOK_SECRET}" in banner
        assert "database: sqlite" in banner and "mailer: file" in banner

        sale = gumroad_body("01_sale_licensed_basic")
        assert server.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", sale) == 200
        [eml] = wait_for_files(tmp_path / "var" / "mail", 1)
        [key] = set(KEY.findall(eml.read_text()))

        verified = subprocess.run([LICENSEMINT, "verify", key], cwd=tmp_path, env=env_for(tmp_path),
                                  capture_output=True, text=True)
        assert verified.returncode == 0, verified.stderr
        assert "acmesoft-pro/desktop" in verified.stdout
        tampered = subprocess.run([LICENSEMINT, "verify", key[:-2] + ("AA" if key[-2:] != "AA" else "BB")],
                                  cwd=tmp_path, env=env_for(tmp_path), capture_output=True, text=True)
        assert tampered.returncode == 1 and tampered.stderr.startswith("BAD_SIGNATURE:")

        assert server.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", sale) == 200
        assert server.post("/webhooks/gumroad?secret=wrong", sale) == 404
        assert raw_request(server.base, f"POST /webhooks/gumroad?secret={WEBHOOK_SECRET}\x01 HTTP/1.1\r\n\r\n").split(b"\r\n")[0].endswith(b"400 Bad Request")
        time.sleep(1.5)  # longer than the worker's poll: a second email would have been written
        assert len(wait_for_files(tmp_path / "var" / "mail", 1)) == 1
    finally:
        assert server.stop() == 0
    log = server.log
    assert "POST /webhooks/gumroad?[redacted] 200" in log and "malformed HTTP request" in log
    assert WEBHOOK_SECRET not in log and key not in log and "secret=wrong" not in log


def test_the_database_is_created_and_migrated_on_first_start_and_reused_after(tmp_path):
    first = Server(tmp_path)
    assert first.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", gumroad_body("01_sale_licensed_basic")) == 200
    wait_for_files(tmp_path / "var" / "mail", 1)
    assert first.stop() == 0
    assert (tmp_path / "var" / "licensemint.db").exists()
    second = Server(tmp_path)
    try:
        assert second.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", gumroad_body("01_sale_licensed_basic")) == 200
        time.sleep(1.5)
        assert len(wait_for_files(tmp_path / "var" / "mail", 1)) == 1  # the duplicate survived the restart
    finally:
        second.stop()


def run_cli(tmp_path, *args, **env):
    return subprocess.run([LICENSEMINT, *args], cwd=tmp_path, env=env_for(tmp_path, **env),
                          capture_output=True, text=True, timeout=60)


def test_a_catalog_mistake_stops_the_start_naming_file_product_and_field(tmp_path):
    catalog = tmp_path / "products.yaml"
    catalog.write_text((ROOT / "config/products.yaml").read_text().replace("tier: pro", "tier: platinum"))
    result = run_cli(tmp_path, "serve", "--port", "0", PRODUCTS_FILE=str(catalog))
    assert result.returncode == 2
    assert str(catalog) in result.stderr and "'acmesoft-cloud'" in result.stderr
    assert "sources.gumroad[1].tier" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"APP_ENV": "production", "GUMROAD_WEBHOOK_SECRETS": ""}, "LICENSE_SIGNING_KEY, GUMROAD_WEBHOOK_SECRETS, ADMIN_TOKENS"),
        ({"APP_ENV": "production", "LICENSE_SIGNING_KEY": str(ROOT / "config/dev-signing-key.pem"), "ADMIN_TOKENS": "t" * 20}, "development key"),
        ({"LICENSE_SIGNING_KEY": "not a key"}, "LICENSE_SIGNING_KEY"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"GUMROAD_WEBHOOK_SECRETS": "short"}, "GUMROAD_WEBHOOK_SECRETS"),
    ],
)
def test_bad_settings_stop_the_start_with_the_variable_named(tmp_path, env, named):
    result = run_cli(tmp_path, "serve", "--port", "0", **env)
    assert result.returncode == 2 and named in result.stderr and "Traceback" not in result.stderr


def test_keygen_writes_a_keypair_that_signs_keys_verify_accepts(tmp_path):
    result = run_cli(tmp_path, "keygen", "--out", "keys")
    assert result.returncode == 0
    assert oct((tmp_path / "keys/signing-key.pem").stat().st_mode & 0o777) == "0o600"
    again = run_cli(tmp_path, "keygen", "--out", "keys")
    assert again.returncode == 2 and "refusing to overwrite" in again.stderr
    # it prints the public key in the published encoding, and its kid
    printed = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    public = printed["public key (paste into your app)"]
    assert len(public) == 43 and "=" not in public
    from adapters.signing.verifier import key_id, load_public_key

    pem_key = load_public_key((tmp_path / "keys/public-key.pem").read_text())
    assert key_id(load_public_key(public)) == key_id(pem_key) == printed["kid"]
    # a key from the vector file does not verify against the new public key only
    import json

    vectors = json.loads((ROOT / "clients/vectors/v1.json").read_text())
    valid = next(c for c in vectors["cases"] if c["kind"] == "key" and c["code"] == "VALID")
    for given in [str(tmp_path / "keys/public-key.pem"), public]:
        checked = run_cli(tmp_path, "verify", valid["input"], "--public-key", given)
        assert checked.returncode == 1 and checked.stderr.startswith("BAD_SIGNATURE: unknown key id")
    checked = run_cli(tmp_path, "verify", valid["input"], "--public-key", vectors["public_keys"][0]["public_key"])
    assert checked.returncode == 0 and checked.stdout.startswith("VALID:") and valid["claims"]["lid"] in checked.stdout


def test_the_smoke_script_passes_against_the_embedded_default(tmp_path):
    server = Server(tmp_path)
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts/smoke.py"), "--url", server.base, "--secret", WEBHOOK_SECRET],
            cwd=tmp_path, env=env_for(tmp_path), capture_output=True, text=True, timeout=60,
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke test passed" in result.stdout
