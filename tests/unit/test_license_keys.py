"""The Python verifier, the signer and `licensemint verify` against clients/vectors/v1.json,
the one vector file every verifier runs (docs/key-format.md)."""

import base64
import importlib.util
import io
import json
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.signing.ed25519 import Ed25519Signer
from adapters.signing.verifier import (
    b64url_decode,
    key_id,
    load_public_key,
    machine_hash,
    public_key_text,
    verify,
    verify_lease,
)
from core.domain.keys import LeaseClaims, LicenseClaims
from entrypoints import cli
from tests.conftest import ROOT

VECTOR_DIR = ROOT / "clients" / "vectors"
VECTORS = json.loads((VECTOR_DIR / "v1.json").read_text("utf-8"))
NOW = VECTORS["now"]
PUBLIC = [load_public_key(k["public_key"]) for k in VECTORS["public_keys"]]
CASES = {case["name"]: case for case in VECTORS["cases"]}
VALID = CASES["key: valid, perpetual (exp null), test false, non-ASCII name"]["input"]


def generator():
    spec = importlib.util.spec_from_file_location("make_vectors", VECTOR_DIR / "make_vectors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_vector_file_is_what_its_generator_writes():
    assert (VECTOR_DIR / "v1.json").read_text("utf-8") == generator().render()


def test_the_vector_file_has_the_documented_shape():
    assert set(VECTORS) == {"schema", "now", "public_keys", "machines", "cases"}
    assert isinstance(NOW, int) and len(CASES) == len(VECTORS["cases"]) > 300
    for key in VECTORS["public_keys"]:
        assert len(key["public_key"]) == 43 and key_id(load_public_key(key["public_key"])) == key["kid"]
    for case in VECTORS["cases"]:
        assert case["kind"] in ("key", "lease")
        assert case["code"] in ("VALID", "EXPIRED", "BAD_SIGNATURE", "MALFORMED")
        assert ("claims" in case) == (case["code"] in ("VALID", "EXPIRED"))
    codes = {(c["kind"], c["code"]) for c in VECTORS["cases"]}
    assert codes == {(kind, code) for kind in ("key", "lease")
                     for code in ("VALID", "EXPIRED", "BAD_SIGNATURE", "MALFORMED")}


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_the_python_verifier_answers_every_vector(case):
    result = (verify if case["kind"] == "key" else verify_lease)(case["input"], PUBLIC, now=NOW)
    assert result.code == case["code"], result.reason
    assert result.claims == case.get("claims", {})


@pytest.mark.parametrize("machine", VECTORS["machines"], ids=lambda m: m["machine"][:12])
def test_machine_hash_matches_every_vector(machine):
    assert machine_hash(machine["fingerprint"]) == machine["machine"]


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_licensemint_verify_prints_every_vectors_code(case, monkeypatch, capsys):
    """The CLI command itself, in-process, the key on standard input (an argv cannot hold NUL);
    the test below runs the real process for one case of each code."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(case["input"]))
    argv = ["verify", "-", "--now", str(NOW)] + [a for k in VECTORS["public_keys"] for a in ("--public-key", k["public_key"])]
    status = cli.main(argv + (["--lease"] if case["kind"] == "lease" else []))
    out = capsys.readouterr()
    assert (out.out + out.err).startswith(case["code"] + ":")
    assert status == (0 if case["code"] == "VALID" else 1)


def test_licensemint_verify_says_a_key_without_a_name_has_none(monkeypatch, capsys):
    """A product with `key_name: false` mints keys without `name`: the CLI must not print `None`."""
    case = CASES["key: valid, test false, name absent (catalog turns names off)"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(case["input"]))
    keys = [a for k in VECTORS["public_keys"] for a in ("--public-key", k["public_key"])]
    assert cli.main(["verify", "-", "--now", str(NOW), *keys]) == 0
    out = capsys.readouterr().out
    assert "no licensee name" in out and "None" not in out


def test_licensemint_verify_as_a_process_gives_each_code():
    keys = [a for k in VECTORS["public_keys"] for a in ("--public-key", k["public_key"])]
    for name, code, status in [
        ("key: valid, perpetual (exp null), test false, non-ASCII name", "VALID", 0),
        ("key: exp = now is expired", "EXPIRED", 1),
        ("key: first signature bit flipped", "BAD_SIGNATURE", 1),
        ("key: U+00A0 after is not removed", "MALFORMED", 1),
    ]:
        done = subprocess.run([sys.executable, "-m", "entrypoints.cli", "verify", "-", "--now", str(NOW), *keys],
                              input=CASES[name]["input"].encode("utf-8"), capture_output=True, cwd=ROOT / "src")
        assert done.returncode == status and (done.stdout + done.stderr).decode().startswith(code + ":"), done


def test_the_signer_reproduces_the_vector_keys_byte_for_byte():
    make = generator()
    signer = Ed25519Signer(make.PRIMARY)
    assert signer.signing_kid == VECTORS["public_keys"][0]["kid"]
    claims = dict(CASES["key: valid, perpetual (exp null), test false, non-ASCII name"]["claims"])
    assert claims.pop("v") == 1
    assert signer.sign(LicenseClaims(**claims)).key == VALID
    lease = CASES["lease: valid, test false"]
    claims = dict(lease["claims"])
    assert claims.pop("v") == 1
    assert signer.sign_lease(LeaseClaims(**claims)).key == lease["input"]


def test_a_key_without_a_name_leaves_the_claim_out():
    signer = Ed25519Signer(generator().PRIMARY)
    claims = dict(CASES["key: valid, test false, name absent (catalog turns names off)"]["claims"])
    claims.pop("v")
    signed = signer.sign(LicenseClaims(**claims, name=None)).key
    assert signed == CASES["key: valid, test false, name absent (catalog turns names off)"]["input"]
    assert "name" not in verify(signed, PUBLIC, now=NOW).claims


def test_public_keys_load_from_base64url_base64_and_pem_and_nothing_else():
    key = PUBLIC[0]
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    text = public_key_text(key)
    assert text == VECTORS["public_keys"][0]["public_key"] and "=" not in text
    for form in [text, base64.b64encode(raw).decode(), pem, pem.encode(), f"  {text}\n"]:
        assert key_id(load_public_key(form)) == key_id(key)
    for bad in ["", text[:-1], text + "A", text + "=", base64.b64encode(raw + b"\0").decode(),
                text[:-1] + "R", "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"]:
        with pytest.raises(ValueError):
            load_public_key(bad)


def test_the_verifier_module_needs_only_the_standard_library_and_cryptography():
    path = ROOT / "src" / "adapters" / "signing" / "verifier.py"
    imports = {
        line.split()[1].split(".")[0]
        for line in path.read_text().splitlines()
        if line.startswith(("import ", "from "))
    }
    assert imports <= {"__future__", "base64", "binascii", "hashlib", "re", "time", "dataclasses",
                       "typing", "cryptography"}
    # and it runs on its own, copied out of the project, as its docstring shows
    code = (
        "import importlib.util, sys, textwrap; spec = importlib.util.spec_from_file_location('verifier', sys.argv[1]);"
        "m = importlib.util.module_from_spec(spec); sys.modules['verifier'] = m; spec.loader.exec_module(m);"
        "doc = m.__doc__.split('    from verifier')[1].split('`result.code`')[0];"
        "key_string = sys.argv[2]; exec(textwrap.dedent('    from verifier' + doc))"
    )
    out = subprocess.run([sys.executable, "-I", "-c", code, str(path), VALID],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "acmesoft-pro 3"


def test_the_docstring_example_key_is_the_vector_files_first_public_key():
    import adapters.signing.verifier as module

    assert VECTORS["public_keys"][0]["public_key"] in module.__doc__


@settings(max_examples=300, deadline=None)
@given(position=st.integers(min_value=0), bit=st.integers(min_value=0, max_value=7))
def test_any_flipped_bit_in_a_valid_key_is_rejected(position, bit):
    raw = bytearray(VALID.encode("ascii"))
    raw[position % len(raw)] ^= 1 << bit
    try:
        tampered = raw.decode("ascii")
    except UnicodeDecodeError:
        return  # not even text: nothing a verifier could be handed as a key string
    if tampered.strip(" \t\r\n") == VALID:
        return  # an end character flipped to one of the four forgiven whitespace characters
    assert verify(tampered, PUBLIC, now=NOW).code != "VALID"


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(min_value=1, max_value=len(VALID) - 1))
def test_any_truncation_is_rejected(cut):
    assert verify(VALID[:cut], PUBLIC, now=NOW).code != "VALID"


def test_a_lease_signed_by_the_server_verifies_as_a_lease_and_never_as_a_key():
    signer = Ed25519Signer(generator().PRIMARY)
    lease = signer.sign_lease(LeaseClaims(lid="lic_1", product="p", tier="t", machine=machine_hash("m"),
                                          iat=NOW, exp=NOW + 60, test=True)).key
    result = verify_lease(lease, PUBLIC, now=NOW)
    assert result.code == "VALID" and result.claims["machine"] == machine_hash("m")
    assert verify_lease(lease, PUBLIC, now=NOW + 60).code == "EXPIRED"
    assert verify(lease, PUBLIC, now=NOW).code == "MALFORMED"


def test_part_decoding_refuses_padding_and_stray_bits():
    assert b64url_decode("AA") == b"\0"
    for bad in ["AA==", "AB", "A", "", "A+", "A/"]:
        with pytest.raises(ValueError):
            b64url_decode(bad)


def test_the_specs_worked_example_is_the_vector_files_first_key():
    spec = (ROOT / "docs" / "key-format.md").read_text("utf-8")
    example = spec.split("## Worked example")[1]
    assert VALID in example and VECTORS["public_keys"][0]["public_key"] in example
    assert str(NOW) in example and VECTORS["public_keys"][0]["kid"] in example
    assert "clients/vectors/v1.json" in spec


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES, ascii_only=st.booleans(), spaced=st.booleans())
def test_the_payload_reader_reads_what_the_standard_library_writes(value, ascii_only, spaced):
    from adapters.signing.verifier import _json

    text = json.dumps(value, ensure_ascii=ascii_only, indent=1 if spaced else None)
    assert _json(text) == json.loads(text)


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet='{}[]",:.-+eE0123456789 \t\n\\/ubfnrtalsx\x00\x1f\u00e9', max_size=30))
def test_the_payload_reader_accepts_exactly_the_json_the_standard_library_accepts(text):
    from adapters.signing.verifier import _json

    def reject(_):
        raise ValueError

    try:
        expected = json.loads(text, parse_constant=reject, object_pairs_hook=lambda pairs: dict(pairs)
                              if len({k for k, _ in pairs}) == len(pairs) else reject(0))
    except (ValueError, RecursionError):
        expected = ValueError
    try:
        got = _json(text)
    except ValueError:
        got = ValueError
    assert got == expected or (got is not ValueError and json.dumps(got) == json.dumps(expected))


def test_the_payload_reader_reads_nesting_deeper_than_the_standard_library_can():
    from adapters.signing.verifier import _json

    deep = '{"a":' + "[" * 1500 + "]" * 1500 + ', "b": ' + '{"c":' * 1000 + "1" + "}" * 1000 + "}"
    value = _json(deep)
    arrays, depth = value["a"], 1
    while arrays:
        [arrays] = arrays
        depth += 1
    objects, levels = value["b"], 0
    while isinstance(objects, dict):
        objects, levels = objects["c"], levels + 1
    assert (depth, levels, objects) == (1500, 1000, 1)


def test_the_python_snippet_in_docs_keys_md_runs():
    row = next(line for line in (ROOT / "docs/keys.md").read_text("utf-8").splitlines() if line.startswith("| Python |"))
    code = row.split("|")[3].strip().replace("<br>", "\n").replace("`", "")
    code = code.replace("<public key>", VECTORS["public_keys"][0]["public_key"])
    scope = {"license_key": VALID}
    exec("from adapters.signing.verifier import load_public_key, verify\n" + code, scope)
    assert scope["result"].code == "VALID" and scope["result"].claims["seats"] == 3
