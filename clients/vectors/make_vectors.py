"""Writes v1.json next to this file: the key format 1.0 test vectors every verifier runs.

Run `python clients/vectors/make_vectors.py` to rewrite the file, `--check` to compare the
committed file with what this script produces (exit 1 if they differ).

The script builds every token itself from fixed seeds (Ed25519 signing is deterministic) with
nothing but the standard library and `cryptography`; it does not use licensemint's verifier,
so the file is an independent statement of docs/key-format.md, not a recording of one
implementation. Each case's code follows from how the case is built, by the checks of the
spec in their order; the comment by a case says which check decides it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

OUT = Path(__file__).with_name("v1.json")

NOW = 1767225600  # 2026-01-01T00:00:00Z, the `now` of every case
IAT = NOW - 30 * 86400
LATER = NOW + 365 * 86400
MAX_SAFE = 2**53 - 1
MAX_LENGTH = 4096
L = 2**252 + 27742317777372353535851937790883648493  # the order of the Ed25519 base point

SCHEMA = (
    "Key format 1.0 test vectors (docs/key-format.md). `now`: the Unix time in seconds (UTC) at "
    "which every case is verified. `public_keys`: the keys a verifier trusts, each `kid` with "
    "`public_key` = base64url without padding of the raw 32-byte Ed25519 public key. `machines`: "
    "`fingerprint` strings with `machine` = machineHash(fingerprint), the lowercase hex SHA-256 of "
    "the fingerprint's UTF-8 bytes. `cases`: `name` (unique, prose), `kind` = \"key\" (run the LIC1 "
    "key verifier) or \"lease\" (run the LEASE1 lease verifier), `input` = the exact string handed "
    "to the verifier (any Unicode; a byte-oriented verifier receives its UTF-8 encoding), `code` = "
    "the answer the verifier MUST give (VALID, EXPIRED, BAD_SIGNATURE or MALFORMED), and, for VALID "
    "and EXPIRED only, `claims` = the whole decoded payload object the verifier returns (a typed "
    "verifier compares every claim of the spec's table and ignores unknown extra claims)."
)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def seed_key(label: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"licensemint vectors v1 {label}".encode()).digest())


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def kid_of(key: Ed25519PrivateKey) -> str:
    return b64url(hashlib.sha256(raw_public(key)).digest()[:8])


PRIMARY = seed_key("primary")
SECOND = seed_key("second")  # also published: a verifier picks the key by kid
UNPUBLISHED = seed_key("unpublished")  # signs, but no verifier trusts it


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign_text(prefix: str, kid: str, payload: str, key: Ed25519PrivateKey = PRIMARY) -> str:
    """The token over exactly these texts: the signature covers `prefix.kid.payload` as given."""
    signed = f"{prefix}.{kid}.{payload}"
    return f"{signed}.{b64url(key.sign(signed.encode('ascii')))}"


def token(prefix: str, payload: bytes | dict, key: Ed25519PrivateKey = PRIMARY) -> str:
    data = payload if isinstance(payload, bytes) else compact(payload)
    return sign_text(prefix, kid_of(key), b64url(data), key)


def key_claims(**changes) -> dict:
    claims = {"v": 1, "lid": "lic_vec0001", "product": "acmesoft-pro", "tier": "desktop", "seats": 3,
              "name": "Zoë Example", "iat": IAT, "exp": None, "test": False}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not _DROP}


def lease_claims(**changes) -> dict:
    claims = {"v": 1, "lid": "lic_vec0001", "product": "acmesoft-pro", "tier": "desktop",
              "machine": machine_hash(FINGERPRINTS[0]), "iat": NOW - 3600, "exp": NOW + 7 * 86400}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not _DROP}


_DROP = object()  # key_claims(exp=_DROP) leaves the claim out


def machine_hash(fingerprint: str) -> str:
    return hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()


FINGERPRINTS = [
    "machine-id:4c4c4544-0042-3510-8052-b4c04f4e3732",
    "Zoë's MacBook Pro · C02XK0AAJG5H",
    "",
    "机器 🖥 serial 12345",
]

# Characters a verifier MUST NOT remove around a key (step 1 removes only SP, HT, CR, LF).
NOT_STRIPPED = (
    ["\u000b", "\u000c", "\u001c", "\u001d", "\u001e", "\u001f", "\u0085", "\u00a0", "\u1680"]
    + [chr(c) for c in range(0x2000, 0x200B)]
    + ["\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "\u180e", "\u200b",
       "\u200c", "\u200d", "\u2060", "\u0000", "\u007f"]
)
STRIPPED = {"SP": " ", "HT": "\t", "CR": "\r", "LF": "\n"}


class Cases:
    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, name: str, kind: str, text: str, code: str, claims: dict | None = None) -> None:
        assert name not in {c["name"] for c in self.items}, name
        assert (claims is not None) == (code in ("VALID", "EXPIRED")), name
        case = {"name": name, "kind": kind, "input": text, "code": code}
        if claims is not None:
            case["claims"] = claims
        self.items.append(case)

    def valid(self, name: str, kind: str, payload: dict, code: str = "VALID",
              key: Ed25519PrivateKey = PRIMARY) -> str:
        text = token("LIC1" if kind == "key" else "LEASE1", payload, key)
        self.add(name, kind, text, code, json.loads(compact(payload)))
        return text

    def signed(self, name: str, kind: str, payload: bytes, code: str, claims: dict | None = None) -> str:
        """A token well signed by a published key over these payload bytes."""
        text = token("LIC1" if kind == "key" else "LEASE1", payload)
        self.add(name, kind, text, code, claims)
        return text


def replace_part(text: str, index: int, part: str) -> str:
    parts = text.split(".")
    parts[index] = part
    return ".".join(parts)


def with_trailing_bits(part: str) -> str:
    """The same bytes with the unused low bits of the last character set: non-canonical."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    unused = {2: 4, 3: 2}[len(part) % 4]
    value = alphabet.index(part[-1])
    assert value & ((1 << unused) - 1) == 0
    return part[:-1] + alphabet[value | 1]


def padded_to_length(prefix: str, length: int) -> str:
    """A well-signed token of exactly `length` characters, lengthened by an unknown claim."""
    base = key_claims(name="Padded Example") if prefix == "LIC1" else lease_claims()
    for pad in range(length):
        text = token(prefix, {**base, "pad": "x" * pad})
        if len(text) == length:
            return text
        if len(text) > length:
            break
    raise ValueError(f"no {prefix} token is exactly {length} characters long")


def key_cases(c: Cases) -> str:
    valid = c.valid("key: valid, perpetual (exp null), test false, non-ASCII name", "key", key_claims())
    c.valid("key: valid, exp absent, test absent, name absent", "key",
            key_claims(exp=_DROP, test=_DROP, name=_DROP))
    c.valid("key: valid, expiring next year, test true", "key", key_claims(exp=LATER, test=True))
    c.valid("key: valid, test false, name absent (catalog turns names off)", "key",
            key_claims(name=_DROP, lid="lic_vec0002"))
    c.valid("key: valid, signed by the second published key", "key", key_claims(lid="lic_vec0003"), key=SECOND)
    c.valid("key: valid, name outside the BMP", "key", key_claims(name="Ada 🦊 Lovelace"))
    c.valid("key: valid, unknown claims of every JSON type are ignored", "key",
            key_claims(future={"nested": [1, 2.5, {"deep": None}], "flag": True}, note="hello", ratio=0.25,
                       list=[], empty={}))
    deep: list = []
    for _ in range(499):
        deep = [deep]
    c.valid("key: valid, an unknown claim of arrays nested 500 deep", "key", key_claims(deep=deep))
    nested: dict = {}
    for _ in range(299):
        nested = {"n": nested}
    c.valid("key: valid, an unknown claim of objects nested 300 deep", "key", key_claims(nested=nested))
    c.valid("key: valid, issued after now (iat is not checked)", "key", key_claims(iat=NOW + 86400))
    c.valid("key: valid, seats 0", "key", key_claims(seats=0))
    c.valid("key: valid, integers at plus and minus 2^53-1", "key",
            key_claims(seats=MAX_SAFE, iat=-MAX_SAFE, exp=MAX_SAFE))
    c.valid("key: valid, empty strings", "key", key_claims(lid="", product="", tier="", name=""))
    c.valid("key: valid, claims in another order", "key",
            dict(reversed(list(key_claims(lid="lic_vec0004").items()))))
    claims = {**key_claims(name="Zoë \"Q\" \\ / Example"), "extra": "🦊\n\t\b\f\r"}
    escaped = c.signed("key: valid, JSON string escapes (\\u, surrogate pair, quote, backslash, slash)", "key",
             b'{"v":1,"lid":"lic_vec0001","product":"acmesoft-pro","tier":"desktop","seats":3,'
             b'"name":"Zo\\u00eb \\"Q\\" \\\\ \\/ Example","extra":"\\ud83e\\udd8a\\n\\t\\b\\f\\r",'
             b'"iat":' + str(IAT).encode() + b',"exp":null,"test":false}', "VALID",
             claims)
    assert json.loads(base64.urlsafe_b64decode(escaped.split(".")[2] + "==")) == claims
    c.signed("key: valid, an escaped surrogate pair (upper-case hex) in name and in an unknown claim", "key",
             compact(key_claims(name="ZoX")).replace(b"X", b"\\uD83E\\uDD8A")[:-1] + b',"x":"\\ud800\\udc00"}',
             "VALID", {**key_claims(name="Zo\U0001F98A"), "x": "\U00010000"})
    c.signed("key: valid, insignificant JSON whitespace between tokens and around the object", "key",
             b' \r\n\t{ "v" : 1 ,\n "lid" : "lic_vec0001",\t"product":"acmesoft-pro", "tier":"desktop",'
             b'"seats" :3,"iat": ' + str(IAT).encode() + b' }\n ', "VALID",
             {"v": 1, "lid": "lic_vec0001", "product": "acmesoft-pro", "tier": "desktop", "seats": 3, "iat": IAT})

    # exp boundary: expired when now >= exp
    c.valid("key: exp = now + 1 (now is exp - 1) is valid", "key", key_claims(exp=NOW + 1, lid="lic_vec0005"))
    c.valid("key: exp = now is expired", "key", key_claims(exp=NOW, lid="lic_vec0006"), code="EXPIRED")
    c.valid("key: exp = now - 1 (now is exp + 1) is expired", "key", key_claims(exp=NOW - 1, lid="lic_vec0007"),
            code="EXPIRED")
    c.valid("key: expired long ago, test true", "key", key_claims(exp=IAT, test=True, lid="lic_vec0008"),
            code="EXPIRED")
    c.valid("key: exp at -(2^53-1) is expired", "key", key_claims(exp=-MAX_SAFE, lid="lic_vec0009"),
            code="EXPIRED")

    # step 1: only SP, HT, CR, LF around the key are removed
    for label, ch in STRIPPED.items():
        c.add(f"key: {label} before is removed", "key", ch + valid, "VALID", json.loads(compact(key_claims())))
        c.add(f"key: {label} after is removed", "key", valid + ch, "VALID", json.loads(compact(key_claims())))
    c.add("key: mixed SP HT CR LF on both sides are removed", "key", " \t\r\n \n" + valid + "\r\n\t  \r\n",
          "VALID", json.loads(compact(key_claims())))
    for ch in NOT_STRIPPED:
        code = f"U+{ord(ch):04X}"
        c.add(f"key: {code} before is not removed", "key", ch + valid, "MALFORMED")
        c.add(f"key: {code} after is not removed", "key", valid + ch, "MALFORMED")
        c.add(f"key: {code} after CR LF is not removed", "key", valid + "\r\n" + ch, "MALFORMED")
    # steps 2, 3: empty, not printable ASCII
    c.add("key: empty string", "key", "", "MALFORMED")
    c.add("key: only SP HT CR LF", "key", " \t\r\n ", "MALFORMED")
    c.add("key: only U+00A0", "key", "\u00a0", "MALFORMED")
    prefix, kid, payload, sig = valid.split(".")
    for ch, label in [("\u0000", "NUL"), ("\u200b", "U+200B"), ("\u200c", "U+200C"), ("\u200d", "U+200D"),
                      ("\u2060", "U+2060"), ("\ufeff", "U+FEFF"), (" ", "SP"), ("\t", "HT"), ("\n", "LF"),
                      ("\r\n", "CR LF"), ("\u00ad", "soft hyphen U+00AD")]:
        c.add(f"key: {label} inside the payload", "key", f"{prefix}.{kid}.{payload[:40]}{ch}{payload[40:]}.{sig}",
              "MALFORMED")
    c.add("key: SP after a dot", "key", f"{prefix}. {kid}.{payload}.{sig}", "MALFORMED")
    c.add("key: NUL between parts", "key", f"{prefix}.{kid}\u0000.{payload}.{sig}", "MALFORMED")
    c.add("key: fullwidth full stop U+FF0E as separator", "key", f"{prefix}\uff0e{kid}.{payload}.{sig}", "MALFORMED")
    c.add("key: Cyrillic capital I in the prefix", "key", f"L\u0406C1.{kid}.{payload}.{sig}", "MALFORMED")

    # step 4: at most 4096 bytes after stripping
    exact = padded_to_length("LIC1", MAX_LENGTH)
    c.add("key: exactly 4096 characters is valid", "key", exact, "VALID",
          json.loads(base64.urlsafe_b64decode(exact.split(".")[2] + "==")))
    c.add("key: exactly 4096 characters with CR LF around is valid", "key", "\r\n" + exact + "\r\n", "VALID",
          json.loads(base64.urlsafe_b64decode(exact.split(".")[2] + "==")))
    # 4097 is 1 mod 4 for the payload of a LIC1 token, so the longest well-formed one over the
    # limit is 4098 characters; 4097 is here too.
    c.add("key: 4097 characters (a valid 4096 one plus 'A')", "key", exact + "A", "MALFORMED")
    c.add("key: 4098 characters, well signed, otherwise valid", "key", padded_to_length("LIC1", MAX_LENGTH + 2),
          "MALFORMED")
    c.add("key: 8192 characters, well signed, otherwise valid", "key", padded_to_length("LIC1", 8192), "MALFORMED")

    # step 5: four parts
    c.add("key: three parts", "key", f"{prefix}.{kid}.{payload}", "MALFORMED")
    c.add("key: five parts (an extra part)", "key", f"{valid}.{sig}", "MALFORMED")
    c.add("key: five parts (a trailing dot)", "key", valid + ".", "MALFORMED")
    c.add("key: a leading dot", "key", "." + valid, "MALFORMED")
    c.add("key: one part", "key", payload, "MALFORMED")
    c.add("key: only dots", "key", "...", "MALFORMED")
    # step 6: the prefix
    for name, other in [("LIC2", "LIC2"), ("lowercase lic1", "lic1"), ("Lic1", "Lic1"), ("LIC", "LIC"),
                        ("LIC1 with trailing SP", "LIC1 "), ("empty", ""), ("LEASE1", "LEASE1")]:
        c.add(f"key: prefix {name}", "key", sign_text(other, kid, payload) if other.isalnum() else
              f"{other}.{kid}.{payload}.{sig}", "MALFORMED")
    # step 7: canonical unpadded base64url, lengths
    c.add("key: empty kid", "key", f"{prefix}..{payload}.{sig}", "MALFORMED")
    c.add("key: empty payload", "key", sign_text(prefix, kid, ""), "MALFORMED")
    c.add("key: empty signature", "key", f"{prefix}.{kid}.{payload}.", "MALFORMED")
    c.add("key: kid padded with =", "key", sign_text(prefix, kid + "=", payload), "MALFORMED")
    padded_payload = token("LIC1", key_claims(lid="lic_vec01"))  # payload length 2 mod 3 -> needs padding
    pp = padded_payload.split(".")[2]
    assert len(pp) % 4 != 0
    c.add("key: payload padded with =", "key", sign_text(prefix, kid, pp + "=" * (-len(pp) % 4)), "MALFORMED")
    c.add("key: signature padded with ==", "key", f"{valid}==", "MALFORMED")
    c.add("key: signature padded with a single =", "key", f"{valid}=", "MALFORMED")
    std = None
    for n in range(200):  # a payload whose base64 uses '+' or '/' in the standard alphabet
        data = compact(key_claims(lid=f"lic_std{n:04d}", name="Zoë Ünïcödé ~~~ ???"))
        std_text = base64.b64encode(data).decode().rstrip("=")
        if "+" in std_text or "/" in std_text:
            std = std_text
            break
    assert std is not None
    c.add("key: payload in the standard base64 alphabet (+ /), no padding", "key", sign_text(prefix, kid, std),
          "MALFORMED")
    std_sig = None
    for n in range(200):
        t = token("LIC1", key_claims(lid=f"lic_sig{n:04d}"))
        s = t.split(".")[3]
        if "-" in s or "_" in s:
            std_sig = replace_part(t, 3, s.replace("-", "+").replace("_", "/"))
            break
    assert std_sig is not None
    c.add("key: signature in the standard base64 alphabet (+ /)", "key", std_sig, "MALFORMED")
    c.add("key: kid with non-zero trailing bits", "key", sign_text(prefix, with_trailing_bits(kid), payload),
          "MALFORMED")
    odd = None
    for n in range(50):
        t = token("LIC1", key_claims(lid=f"lic_bits{n:03d}"))
        if len(t.split(".")[2]) % 4 in (2, 3):
            odd = t
            break
    assert odd is not None
    op = odd.split(".")[2]
    c.add("key: payload with non-zero trailing bits", "key", sign_text(prefix, kid, with_trailing_bits(op)),
          "MALFORMED")
    c.add("key: signature with non-zero trailing bits", "key", replace_part(valid, 3, with_trailing_bits(sig)),
          "MALFORMED")
    c.add("key: payload length 1 mod 4", "key", sign_text(prefix, kid, payload + "A" * ((1 - len(payload)) % 4)),
          "MALFORMED")
    c.add("key: signature of 87 characters (65 bytes)", "key", valid + "A", "MALFORMED")
    c.add("key: signature length 1 mod 4 (89 characters)", "key", valid + "AAA", "MALFORMED")
    for name, bad in [("'!' in the payload", payload[:10] + "!" + payload[11:]),
                      ("'=' inside the payload", payload[:8] + "=" + payload[9:]),
                      ("'+' in the payload", payload[:12] + "+" + payload[13:]),
                      ("'/' in the payload", payload[:12] + "/" + payload[13:]),
                      ("'%' in the payload", payload[:12] + "%" + payload[13:])]:
        c.add(f"key: {name}", "key", sign_text(prefix, kid, bad), "MALFORMED")
    c.add("key: kid of 7 bytes", "key", sign_text(prefix, b64url(bytes(7)), payload), "MALFORMED")
    c.add("key: kid of 9 bytes", "key", sign_text(prefix, b64url(base64.urlsafe_b64decode(kid + "=") + b"\0"),
                                                  payload), "MALFORMED")
    raw_sig = base64.urlsafe_b64decode(sig + "==")
    c.add("key: signature of 63 bytes", "key", replace_part(valid, 3, b64url(raw_sig[:63])), "MALFORMED")
    c.add("key: signature of 65 bytes", "key", replace_part(valid, 3, b64url(raw_sig + b"\0")), "MALFORMED")
    c.add("key: signature of 32 bytes", "key", replace_part(valid, 3, b64url(raw_sig[:32])), "MALFORMED")
    c.add("key: well signed, payload is one NUL byte ('AA')", "key", sign_text(prefix, kid, "AA"), "MALFORMED")

    # steps 8, 9: the signature, before the payload is read
    c.add("key: signed by a key nobody trusts (unknown kid)", "key", token("LIC1", key_claims(), UNPUBLISHED),
          "BAD_SIGNATURE")
    c.add("key: random unknown kid", "key", f"{prefix}.{b64url(bytes(range(8)))}.{payload}.{sig}", "BAD_SIGNATURE")
    c.add("key: the second key's kid on the primary key's signature (wrong kid)", "key",
          f"{prefix}.{kid_of(SECOND)}.{payload}.{sig}", "BAD_SIGNATURE")
    c.add("key: the primary kid on a signature by the second key", "key",
          replace_part(token("LIC1", key_claims(), SECOND), 1, kid), "BAD_SIGNATURE")
    flipped = bytearray(raw_sig)
    flipped[0] ^= 1
    c.add("key: first signature bit flipped", "key", replace_part(valid, 3, b64url(bytes(flipped))), "BAD_SIGNATURE")
    flipped = bytearray(raw_sig)
    flipped[63] ^= 0x10
    c.add("key: a bit of the last signature byte flipped", "key", replace_part(valid, 3, b64url(bytes(flipped))),
          "BAD_SIGNATURE")
    c.add("key: all-zero signature", "key", replace_part(valid, 3, b64url(bytes(64))), "BAD_SIGNATURE")
    s = int.from_bytes(raw_sig[32:], "little") + L
    c.add("key: signature with S + L (malleated, S out of range)", "key",
          replace_part(valid, 3, b64url(raw_sig[:32] + s.to_bytes(32, "little"))), "BAD_SIGNATURE")
    edited = key_claims(seats=300)
    c.add("key: payload edited (seats 300), still JSON", "key", replace_part(valid, 2, b64url(compact(edited))),
          "BAD_SIGNATURE")
    c.add("key: payload edited to non-JSON", "key", replace_part(valid, 2, b64url(b"not json at all")),
          "BAD_SIGNATURE")
    c.add("key: payload edited to invalid UTF-8", "key", replace_part(valid, 2, b64url(b'{"v":1,"x":"\xff"}')),
          "BAD_SIGNATURE")
    c.add("key: payload edited to a float seats", "key",
          replace_part(valid, 2, b64url(compact(key_claims()).replace(b'"seats":3', b'"seats":3.0'))),
          "BAD_SIGNATURE")
    c.add("key: payload edited to v 2", "key", replace_part(valid, 2, b64url(compact(key_claims(v=2)))),
          "BAD_SIGNATURE")
    c.add("key: payload edited to a JSON array", "key", replace_part(valid, 2, b64url(b"[1,2,3]")), "BAD_SIGNATURE")
    c.add("key: one payload character changed", "key",
          replace_part(valid, 2, payload[:20] + ("A" if payload[20] != "A" else "B") + payload[21:]), "BAD_SIGNATURE")
    c.add("key: a LEASE1 signature under a LIC1 prefix", "key",
          "LIC1" + token("LEASE1", key_claims())[len("LEASE1"):], "BAD_SIGNATURE")
    c.add("key: the payload of another valid key with this key's signature", "key",
          f"{prefix}.{kid}." + ".".join(token("LIC1", key_claims(lid="lic_other")).split(".")[2:3]) + f".{sig}",
          "BAD_SIGNATURE")
    c.add("key: unknown kid and a payload that is not JSON", "key",
          f"{prefix}.{b64url(bytes(range(8)))}.{b64url(b'garbage')}.{sig}", "BAD_SIGNATURE")

    # step 10: UTF-8, BOM, strict JSON, object at the top
    for name, data in [
        ("not JSON", b"hello world"),
        ("a JSON array", b'[{"v":1}]'),
        ("a JSON string", b'"LIC1"'),
        ("a JSON number", b"1"),
        ("JSON null", b"null"),
        ("JSON true", b"true"),
        ("an object then garbage", compact(key_claims()) + b"x"),
        ("two objects", compact(key_claims()) + compact(key_claims())),
        ("an unterminated object", compact(key_claims())[:-1]),
        ("a trailing comma", compact(key_claims())[:-1] + b",}"),
        ("single-quoted names", compact(key_claims()).replace(b'"v"', b"'v'")),
        ("an unquoted name", compact(key_claims()).replace(b'"v"', b"v")),
        ("a comment", b"/* c */" + compact(key_claims())),
        ("NaN in an unknown claim", compact(key_claims())[:-1] + b',"x":NaN}'),
        ("Infinity in an unknown claim", compact(key_claims())[:-1] + b',"x":Infinity}'),
        ("a raw tab inside a string", compact(key_claims(name="ZoX")).replace(b"X", b"\t")),
        ("a raw LF inside a string", compact(key_claims(name="ZoX")).replace(b"X", b"\n")),
        ("a raw NUL inside a string", compact(key_claims(name="ZoX")).replace(b"X", b"\0")),
        ("an invalid escape \\x41", compact(key_claims(name="ZoX")).replace(b"ZoX", b"Zo\\x41")),
        ("a truncated \\u escape", compact(key_claims(name="ZoX")).replace(b"ZoX", b"Zo\\u00e")),
        # a lone surrogate escape names no character (UTF-8 cannot hold one): section 5
        ("a lone high surrogate escape in name", compact(key_claims(name="ZoX")).replace(b"X", b"\\ud800")),
        ("a lone low surrogate escape in name", compact(key_claims(name="ZoX")).replace(b"X", b"\\udc00")),
        ("a lone high surrogate escape ending name", compact(key_claims(name="ZoX")).replace(b"ZoX", b"Zo\\uDBFF")),
        ("a high surrogate escape followed by a non-low escape in name",
         compact(key_claims(name="ZoX")).replace(b"X", b"\\ud83d\\u0041")),
        ("a high surrogate escape followed by a plain character in name",
         compact(key_claims(name="ZoX")).replace(b"X", b"\\ud83dA")),
        ("two high surrogate escapes in name", compact(key_claims(name="ZoX")).replace(b"X", b"\\ud83d\\ud83d")),
        ("a reversed surrogate pair escape in name", compact(key_claims(name="ZoX")).replace(b"X", b"\\ude00\\ud83d")),
        ("a lone high surrogate escape in an unknown claim", compact(key_claims())[:-1] + b',"x":"\\ud800"}'),
        ("a lone low surrogate escape in an unknown claim", compact(key_claims())[:-1] + b',"x":"a\\udfffb"}'),
        ("a lone surrogate escape nested in an unknown claim", compact(key_claims())[:-1] + b',"x":{"y":["\\udc00"]}}'),
        ("a lone surrogate escape in an unknown member name", compact(key_claims())[:-1] + b',"\\ud800":1}'),
        ("a leading zero in an unknown number", compact(key_claims())[:-1] + b',"x":01}'),
        ("a leading + in an unknown number", compact(key_claims())[:-1] + b',"x":+1}'),
        ("a number with a bare dot in an unknown claim", compact(key_claims())[:-1] + b',"x":1.}'),
        ("a hex number in an unknown claim", compact(key_claims())[:-1] + b',"x":0x10}'),
        ("True instead of true", compact(key_claims()).replace(b"false", b"False")),
        ("an object then a second value", b"{} 1"),
        ("a UTF-8 BOM before the object", b"\xef\xbb\xbf" + compact(key_claims())),
        ("invalid UTF-8 byte 0xFF in a string", compact(key_claims(name="ZoX")).replace(b"X", b"\xff")),
        ("invalid UTF-8: a lone continuation byte", compact(key_claims(name="ZoX")).replace(b"X", b"\x80")),
        ("invalid UTF-8: overlong encoding of '/'", compact(key_claims(name="ZoX")).replace(b"X", b"\xc0\xaf")),
        ("invalid UTF-8: an encoded surrogate U+D800", compact(key_claims(name="ZoX")).replace(b"X", b"\xed\xa0\x80")),
        ("invalid UTF-8: a truncated 3-byte sequence", compact(key_claims(name="ZoX")).replace(b"X", b"\xe2\x82")),
        ("invalid UTF-8: a code point past U+10FFFF", compact(key_claims(name="ZoX")).replace(b"X", b"\xf4\x90\x80\x80")),
        ("invalid UTF-8: Latin-1 encoded name", compact(key_claims(name="ZoX")).replace(b"X", b"\xeb")),
        ("invalid UTF-8 in a name (object key)", compact(key_claims())[:-1] + b',"\xff":1}'),
    ]:
        c.signed(f"key: well signed, payload is {name}", "key", data, "MALFORMED")

    # step 11: claims and their types
    for claim in ["v", "lid", "product", "tier", "seats", "iat"]:
        c.signed(f"key: well signed, required claim {claim} missing", "key", compact(key_claims(**{claim: _DROP})),
                 "MALFORMED")
    c.signed("key: well signed, empty object", "key", b"{}", "MALFORMED")
    for claim, value, label in [
        ("v", "1", "string"), ("v", True, "boolean"), ("v", None, "null"),
        ("lid", 1, "number"), ("lid", None, "null"), ("lid", ["lic"], "array"),
        ("product", {"id": "acmesoft-pro"}, "object"), ("product", None, "null"), ("product", False, "boolean"),
        ("tier", 7, "number"), ("tier", None, "null"),
        ("seats", "3", "string"), ("seats", True, "boolean"), ("seats", None, "null"), ("seats", [3], "array"),
        ("iat", str(IAT), "string"), ("iat", None, "null"), ("iat", False, "boolean"),
        ("exp", "soon", "string"), ("exp", True, "boolean"), ("exp", [NOW], "array"), ("exp", str(LATER), "string"),
        ("test", "yes", "string"), ("test", 1, "number"), ("test", "false", "string"), ("test", None, "null"),
        ("name", 5, "number"), ("name", None, "null"), ("name", ["Zoë"], "array"), ("name", {"first": "Zoë"}, "object"),
    ]:
        shown = json.dumps(value, ensure_ascii=False)
        c.signed(f"key: well signed, {claim} is {label}" + ("" if shown == label else f" {shown}"), "key",
                 compact(key_claims(**{claim: value})), "MALFORMED")
    for claim, value in [("v", 2), ("v", 0), ("v", -1), ("v", 9007199254740993)]:
        c.signed(f"key: well signed, v is {value}", "key", compact(key_claims(v=value)), "MALFORMED")
    base = compact(key_claims(exp=LATER))
    for claim, old, new in [
        ("v", b'"v":1', b'"v":1.0'), ("v", b'"v":1', b'"v":1e0'), ("v", b'"v":1', b'"v":10E-1'),
        ("seats", b'"seats":3', b'"seats":3.0'), ("seats", b'"seats":3', b'"seats":3.5'),
        ("seats", b'"seats":3', b'"seats":3e0'), ("seats", b'"seats":3', b'"seats":3E0'),
        ("seats", b'"seats":3', b'"seats":0.3e1'), ("seats", b'"seats":3', b'"seats":3E+0'),
        ("seats", b'"seats":3', b'"seats":-0.0'),
        ("iat", b'"iat":%d' % IAT, b'"iat":%d.0' % IAT), ("iat", b'"iat":%d' % IAT, b'"iat":1.7646336e9'),
        ("exp", b'"exp":%d' % LATER, b'"exp":%d.0' % LATER), ("exp", b'"exp":%d' % LATER, b'"exp":1e10'),
        ("exp", b'"exp":%d' % LATER, b'"exp":%d.5' % LATER),
        ("seats", b'"seats":3', b'"seats":9007199254740992'),
        ("seats", b'"seats":3', b'"seats":-9007199254740992'),
        ("seats", b'"seats":3', b'"seats":18446744073709551617'),
        ("iat", b'"iat":%d' % IAT, b'"iat":9007199254740993'),
        ("iat", b'"iat":%d' % IAT, b'"iat":-9007199254740993'),
        ("exp", b'"exp":%d' % LATER, b'"exp":9007199254740992'),
        ("exp", b'"exp":%d' % LATER, b'"exp":100000000000000000000000000000'),
        ("exp", b'"exp":%d' % LATER, b'"exp":-9007199254740992'),
        ("v", b'"v":1', b'"v":4294967297'),
    ]:
        assert old in base, old
        c.signed(f"key: well signed, {claim} written as {new.split(b':')[1].decode()}", "key",
                 base.replace(old, new, 1), "MALFORMED")
    lease = token("LEASE1", lease_claims())
    c.add("key: a valid lease handed to the key verifier", "key", lease, "MALFORMED")
    c.signed("key: well signed LIC1 over lease claims (no seats)", "key", compact(lease_claims()), "MALFORMED")
    return valid


def lease_cases(c: Cases, valid_key: str) -> None:
    valid = c.valid("lease: valid, test absent", "lease", lease_claims())
    c.valid("lease: valid, test true", "lease", lease_claims(test=True, machine=machine_hash(FINGERPRINTS[1])))
    c.valid("lease: valid, test false", "lease", lease_claims(test=False, machine=machine_hash(FINGERPRINTS[3])))
    c.valid("lease: valid, signed by the second published key", "lease", lease_claims(lid="lic_vec0003"), key=SECOND)
    c.valid("lease: valid, unknown claims (seats, name) are ignored", "lease",
            lease_claims(seats=3, name="Zoë Example", extra={"a": [1]}))
    c.valid("lease: exp = now + 1 (now is exp - 1) is valid", "lease", lease_claims(exp=NOW + 1))
    c.valid("lease: exp = now is expired", "lease", lease_claims(exp=NOW), code="EXPIRED")
    c.valid("lease: exp = now - 1 (now is exp + 1) is expired", "lease", lease_claims(exp=NOW - 1), code="EXPIRED")
    claims = json.loads(compact(lease_claims()))
    for label, ch in STRIPPED.items():
        c.add(f"lease: {label} around is removed", "lease", ch + valid + ch, "VALID", claims)
    for ch in ["\u000b", "\u00a0", "\ufeff", "\u200b", "\u0000", "\u2028", "\u0085"]:
        c.add(f"lease: U+{ord(ch):04X} after is not removed", "lease", valid + ch, "MALFORMED")
    c.add("lease: empty string", "lease", "", "MALFORMED")
    c.add("lease: only whitespace", "lease", "\r\n", "MALFORMED")
    exact = padded_to_length("LEASE1", MAX_LENGTH)
    c.add("lease: exactly 4096 characters is valid", "lease", exact, "VALID",
          json.loads(base64.urlsafe_b64decode(exact.split(".")[2] + "==")))
    c.add("lease: 4097 characters, well signed, otherwise valid", "lease", padded_to_length("LEASE1", MAX_LENGTH + 1),
          "MALFORMED")
    for claim in ["v", "lid", "product", "tier", "machine", "iat", "exp"]:
        c.signed(f"lease: well signed, required claim {claim} missing", "lease",
                 compact(lease_claims(**{claim: _DROP})), "MALFORMED")
    for claim, value, label in [("exp", None, "null"), ("exp", "soon", "string"), ("machine", 5, "number"),
                                ("machine", None, "null"), ("test", "yes", "string"), ("v", 2, "2"),
                                ("iat", None, "null")]:
        c.signed(f"lease: well signed, {claim} is {label}", "lease", compact(lease_claims(**{claim: value})),
                 "MALFORMED")
    base = compact(lease_claims())
    exp = lease_claims()["exp"]
    c.signed("lease: well signed, exp written as a float", "lease",
             base.replace(b'"exp":%d' % exp, b'"exp":%d.0' % exp), "MALFORMED")
    c.signed("lease: well signed, exp past 2^53", "lease",
             base.replace(b'"exp":%d' % exp, b'"exp":9007199254740992'), "MALFORMED")
    c.signed("lease: well signed, payload is not JSON", "lease", b"lease", "MALFORMED")
    c.signed("lease: well signed, a lone surrogate escape in an unknown claim", "lease",
             compact(lease_claims())[:-1] + b',"x":"\\udc00"}', "MALFORMED")
    c.signed("lease: well signed, a lone high surrogate escape in lid", "lease",
             compact(lease_claims(lid="lic_X")).replace(b"lic_X", b"lic_\\ud800"), "MALFORMED")
    c.signed("lease: well signed, payload starts with a BOM", "lease", b"\xef\xbb\xbf" + base, "MALFORMED")
    prefix, kid, payload, sig = valid.split(".")
    raw_sig = bytearray(base64.urlsafe_b64decode(sig + "=="))
    raw_sig[10] ^= 4
    c.add("lease: signature bit flipped", "lease", replace_part(valid, 3, b64url(bytes(raw_sig))), "BAD_SIGNATURE")
    c.add("lease: machine edited (tampered)", "lease",
          replace_part(valid, 2, b64url(compact(lease_claims(machine=machine_hash("another machine"))))),
          "BAD_SIGNATURE")
    c.add("lease: exp extended (tampered)", "lease",
          replace_part(valid, 2, b64url(compact(lease_claims(exp=LATER)))), "BAD_SIGNATURE")
    c.add("lease: signed by a key nobody trusts", "lease", token("LEASE1", lease_claims(), UNPUBLISHED),
          "BAD_SIGNATURE")
    c.add("lease: a LIC1 signature under a LEASE1 prefix", "lease",
          "LEASE1" + token("LIC1", lease_claims())[len("LIC1"):], "BAD_SIGNATURE")
    c.add("lease: a valid license key handed to the lease verifier", "lease", valid_key, "MALFORMED")
    c.add("lease: lowercase prefix", "lease", sign_text("lease1", kid, payload), "MALFORMED")
    c.add("lease: prefix LEASE2", "lease", sign_text("LEASE2", kid, payload), "MALFORMED")
    c.add("lease: three parts", "lease", f"{prefix}.{kid}.{payload}", "MALFORMED")
    for n in range(50):
        odd = token("LEASE1", lease_claims(lid=f"lic_pad{n:03d}")).split(".")[2]
        if len(odd) % 4:
            break
    c.add("lease: payload padded", "lease", sign_text(prefix, kid, odd + "=" * (-len(odd) % 4)), "MALFORMED")


def build() -> dict:
    c = Cases()
    valid_key = key_cases(c)
    lease_cases(c, valid_key)
    return {
        "schema": SCHEMA,
        "now": NOW,
        "public_keys": [{"kid": kid_of(k), "public_key": b64url(raw_public(k))} for k in (PRIMARY, SECOND)],
        "machines": [{"fingerprint": f, "machine": machine_hash(f)} for f in FINGERPRINTS],
        "cases": c.items,
    }


def render() -> str:
    """Indented, one case per line (ASCII only: every other character is a \\u escape)."""
    data = build()
    cases = data.pop("cases")
    head = json.dumps(data, indent=1, ensure_ascii=True)
    assert head.endswith("\n}")
    lines = ",\n".join("  " + json.dumps(case, ensure_ascii=True) for case in cases)
    return f'{head[:-2]},\n "cases": [\n{lines}\n ]\n}}\n'



def main(argv: list[str]) -> int:
    text = render()
    if argv[1:] == ["--check"]:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} differs from what {Path(__file__).name} writes; rerun it", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}: {len(build()['cases'])} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
