import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.signing.ed25519 import Ed25519Signer, load_private_key
from adapters.signing.verifier import b64url_decode, load_public_key, verify
from core.domain.keys import LicenseClaims

VECTORS = json.loads((Path(__file__).parents[1] / "fixtures" / "keys" / "golden.json").read_text("utf-8"))
PUBLIC = [load_public_key(VECTORS["public_key_b64"])]


def test_signing_the_golden_claims_reproduces_the_golden_key_byte_for_byte():
    signer = Ed25519Signer(load_private_key(VECTORS["seed_b64"], "seed"))
    claims = dict(VECTORS["claims"])
    claims.pop("v")
    assert signer.sign(LicenseClaims(**claims)).key == VECTORS["valid"]
    assert signer.signing_kid == VECTORS["kid"]


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_golden_vectors_verify_as_recorded(case):
    result = verify(case["key"], PUBLIC, now=case.get("now", 1741968200))
    assert result.code == case["code"], result.reason
    if case["code"] == "VALID":
        assert result.claims["lid"].startswith("lic_golden")


def test_key_parts_follow_the_lic1_format():
    prefix, kid, payload, signature = VECTORS["valid"].split(".")
    assert prefix == "LIC1"
    assert len(b64url_decode(kid)) == 8 and len(b64url_decode(signature)) == 64
    claims = json.loads(b64url_decode(payload))
    assert claims == VECTORS["claims"]
    assert "email" not in b64url_decode(payload).decode()


def test_the_verifier_module_needs_only_the_standard_library_and_cryptography():
    source = (Path(__file__).parents[2] / "src" / "adapters" / "signing" / "verifier.py").read_text()
    imports = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.startswith(("import ", "from "))
    }
    assert imports <= {"__future__", "base64", "binascii", "hashlib", "json", "time", "dataclasses",
                       "typing", "cryptography"}
    # and it runs on its own, copied out of the project
    code = (
        "import importlib.util, sys; spec = importlib.util.spec_from_file_location('v', sys.argv[1]);"
        "m = importlib.util.module_from_spec(spec); sys.modules['v'] = m; spec.loader.exec_module(m);"
        "print(m.verify(sys.argv[2], [m.load_public_key(sys.argv[3])]).code)"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code, str(Path(__file__).parents[2] / "src/adapters/signing/verifier.py"),
         VECTORS["valid"], VECTORS["public_key_b64"]],
        capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == "VALID"


@settings(max_examples=300, deadline=None)
@given(position=st.integers(min_value=0), bit=st.integers(min_value=0, max_value=7))
def test_any_flipped_bit_in_a_valid_key_is_rejected(position, bit):
    raw = bytearray(VECTORS["valid"].encode("ascii"))
    raw[position % len(raw)] ^= 1 << bit
    try:
        tampered = raw.decode("ascii")
    except UnicodeDecodeError:
        return  # not even text: nothing a verifier could be handed as a key string
    if tampered.strip() == VECTORS["valid"]:
        return  # a last "0" flipped to a space: surrounding whitespace is forgiven, same key
    assert verify(tampered, PUBLIC, now=1741968200).code != "VALID"


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(min_value=1, max_value=len(VECTORS["valid"]) - 1))
def test_any_truncation_is_rejected(cut):
    assert verify(VECTORS["valid"][:cut], PUBLIC).code != "VALID"
