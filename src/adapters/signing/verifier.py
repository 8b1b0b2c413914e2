"""Offline verification of licensemint license keys (LIC1) and machine leases (LEASE1).

This module is meant to be copied into a desktop app: it depends on nothing but the
Python standard library and `cryptography`. It implements key format 1.0
(docs/key-format.md) and passes every case of clients/vectors/v1.json. Give it the public
keys your licensemint server publishes (`GET /v1/keys`, or `licensemint keygen` output):

    from verifier import load_public_key, verify
    keys = [load_public_key("nubilT8qgRnr7z6UA0M_brz7GjlKHPQg-1T1LlPbalQ")]  # base64url, 43 characters
    result = verify(key_string, keys)
    if result.valid: print(result.claims["product"], result.claims["seats"])
    else: print(result.code, result.reason)

`result.code` is VALID, EXPIRED, BAD_SIGNATURE or MALFORMED; an expired key's claims are
still in `result.claims`. `verify_lease` does the same for a machine lease, and
`machine_hash(fingerprint)` gives the value a lease's `machine` claim must equal on this
machine.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

PREFIX = "LIC1"
LEASE_PREFIX = "LEASE1"
MAX_KEY_LENGTH = 4096
MAX_SAFE_INTEGER = 2**53 - 1
STRIPPED = " \t\r\n"  # the only characters removed around a token

VALID, EXPIRED, BAD_SIGNATURE, MALFORMED = "VALID", "EXPIRED", "BAD_SIGNATURE", "MALFORMED"

# claim -> (JSON type, required); "int?" is an integer or null
_KEY_CLAIMS = {
    "v": ("int", True), "lid": ("str", True), "product": ("str", True), "tier": ("str", True),
    "seats": ("int", True), "iat": ("int", True), "exp": ("int?", False), "test": ("bool", False),
    "name": ("str", False),
}
_LEASE_CLAIMS = {
    "v": ("int", True), "lid": ("str", True), "product": ("str", True), "tier": ("str", True),
    "machine": ("str", True), "iat": ("int", True), "exp": ("int", True), "test": ("bool", False),
}
# One C-level scan each instead of a Python loop per character: the base64url alphabet, and
# visible ASCII.
_B64URL_TEXT = re.compile(r"[A-Za-z0-9_-]+\Z")
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]*\Z")


@dataclass(frozen=True)
class Verification:
    code: str
    """VALID, EXPIRED, BAD_SIGNATURE (an unknown key id included) or MALFORMED."""
    reason: str
    """Why, in words: "ok", "expired", "unknown key id", "bad signature", "malformed: ..."."""
    claims: dict[str, Any] = field(default_factory=dict)
    """The decoded payload object, for VALID and EXPIRED; empty otherwise."""
    kid: str | None = None

    @property
    def valid(self) -> bool:
        return self.code == VALID


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Canonical unpadded base64url only: no padding, no other alphabet, no stray trailing bits."""
    if not _B64URL_TEXT.match(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url_encode(data) != text:
        raise ValueError("non-canonical base64url (non-zero trailing bits)")
    return data


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """base64url of the first 8 bytes of SHA-256 of the raw 32-byte public key."""
    known = _KIDS.get(id(public_key))
    if known is not None and known[0] is public_key:
        return known[1]
    kid = b64url_encode(hashlib.sha256(raw_public_key(public_key)).digest()[:8])
    if len(_KIDS) >= 64:
        _KIDS.clear()
    _KIDS[id(public_key)] = (public_key, kid)  # holding the key keeps its id from being reused
    return kid


# The kids of keys seen, by object: a verifier checks every key against the same few keys.
_KIDS: dict[int, tuple[Ed25519PublicKey, str]] = {}


def public_key_text(public_key: Ed25519PublicKey) -> str:
    """The published encoding: base64url without padding of the raw 32 bytes (43 characters)."""
    return b64url_encode(raw_public_key(public_key))


def load_public_key(text: str | bytes) -> Ed25519PublicKey:
    """A public key from its published encoding (base64url without padding of the raw 32
    bytes), from standard base64 of the raw 32 bytes, or from a PEM public key."""
    data = (text.decode("ascii") if isinstance(text, bytes) else text).strip()
    if data.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(data.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    try:
        if len(data) == 43:
            raw = b64url_decode(data)
        elif len(data) == 44 and data.endswith("="):
            raw = base64.b64decode(data, validate=True)
        else:
            raise ValueError
    except (ValueError, binascii.Error):
        raise ValueError(
            "expected base64url (43 characters) or base64 (44 characters) of the raw 32-byte "
            "public key, or a PEM public key"
        ) from None
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def machine_hash(fingerprint: str) -> str:
    """Lowercase hex SHA-256 of the fingerprint's UTF-8 bytes: what a lease's `machine` holds."""
    return hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()


def verify(key: str, public_keys: Iterable[Ed25519PublicKey], *, now: float | None = None) -> Verification:
    """Checks a license key (LIC1) against the given public keys; never raises for a bad key."""
    return _verify(key, PREFIX, _KEY_CLAIMS, public_keys, now)


def verify_lease(lease: str, public_keys: Iterable[Ed25519PublicKey], *, now: float | None = None) -> Verification:
    """Checks a machine lease (LEASE1). The caller still compares `claims["machine"]` with
    `machine_hash(<this machine's fingerprint>)`: a lease for another machine is not valid here."""
    return _verify(lease, LEASE_PREFIX, _LEASE_CLAIMS, public_keys, now)


def _malformed(why: str, kid: str | None = None) -> Verification:
    return Verification(MALFORMED, f"malformed: {why}", kid=kid)


def _verify(text: str, prefix: str, table: dict[str, Any], public_keys: Iterable[Ed25519PublicKey],
            now: float | None) -> Verification:
    if not isinstance(text, str):
        return _malformed("not a string")
    text = text.strip(STRIPPED)
    if not text:
        return _malformed("empty")
    if not _VISIBLE_ASCII.match(text):
        return _malformed("a character outside printable ASCII")
    if len(text) > MAX_KEY_LENGTH:
        return _malformed(f"longer than {MAX_KEY_LENGTH} characters")
    parts = text.split(".")
    if len(parts) != 4:
        return _malformed("expected 4 dot-separated parts")
    got_prefix, kid, payload_b64, signature_b64 = parts
    if got_prefix != prefix:
        return _malformed(f"expected the prefix {prefix}")
    try:
        kid_bytes = b64url_decode(kid)
        payload = b64url_decode(payload_b64)
        signature = b64url_decode(signature_b64)
    except (ValueError, binascii.Error) as exc:
        return _malformed(str(exc))
    if len(kid_bytes) != 8:
        return _malformed("the key id is not 8 bytes")
    if len(signature) != 64:
        return _malformed("the signature is not 64 bytes")

    public_key = next((k for k in public_keys if key_id(k) == kid), None)
    if public_key is None:
        return Verification(BAD_SIGNATURE, "unknown key id", kid=kid)
    try:
        public_key.verify(signature, f"{prefix}.{kid}.{payload_b64}".encode("ascii"))
    except InvalidSignature:
        return Verification(BAD_SIGNATURE, "bad signature", kid=kid)

    try:
        claims = _parse_object(payload)
    except ValueError as exc:
        return _malformed(str(exc), kid)
    problem = _claims_problem(claims, table)
    if problem:
        return _malformed(problem, kid)
    exp = claims.get("exp")
    if exp is not None and (int(time.time()) if now is None else now) >= exp:
        return Verification(EXPIRED, "expired", claims=claims, kid=kid)
    return Verification(VALID, "ok", claims=claims, kid=kid)


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_PLAIN = re.compile(r'[^"\\\x00-\x1f]*')
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_LITERALS = (("true", True), ("false", False), ("null", None))


def _parse_object(payload: bytes) -> dict[str, Any]:
    if payload.startswith(b"\xef\xbb\xbf"):
        raise ValueError("the payload starts with a byte order mark")
    try:
        text = payload.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ValueError("the payload is not UTF-8") from None
    value = _json(text)
    if not isinstance(value, dict):
        raise ValueError("the payload is not a JSON object")
    return value


def _json(text: str) -> Any:
    """One strict RFC 8259 JSON text. Iterative, so any nesting a 4096-byte token can hold is
    read (the standard library's reader recurses and gives up near 1000 levels). Numbers with
    a fraction or an exponent become floats, the others ints; names must be unique."""
    n = len(text)
    i = _skip(text, 0)
    value: Any = None
    stack: list[list[Any]] = []  # [container, pending name] per open object or array
    while True:
        if i >= n:
            raise ValueError("the payload is not JSON (it ends too early)")
        c = text[i]
        if c == "{" or c == "[":
            i = _skip(text, i + 1)
            if i < n and text[i] == ("}" if c == "{" else "]"):
                value, i = ({} if c == "{" else []), i + 1
            else:
                container: dict[str, Any] | list[Any] = {} if c == "{" else []
                name = None
                if c == "{":
                    name, i = _name(text, i)
                stack.append([container, name])
                continue
        elif c == '"':
            value, i = _string(text, i)
        else:
            for word, literal in _LITERALS:
                if text.startswith(word, i):
                    value, i = literal, i + len(word)
                    break
            else:
                number = _NUMBER.match(text, i)
                if number is None:
                    raise ValueError(f"the payload is not JSON (unexpected {c!r} at {i})")
                value = float(number.group()) if number.group(1) or number.group(2) else int(number.group())
                i = number.end()
        while True:  # place the value, then close every container that ends here
            i = _skip(text, i)
            if not stack:
                if i != n:
                    raise ValueError("the payload is not JSON (text after the value)")
                return value
            top = stack[-1]
            if isinstance(top[0], dict):
                if top[1] in top[0]:
                    raise ValueError(f"the payload repeats the name {top[1]!r}")
                top[0][top[1]] = value
            else:
                top[0].append(value)
            closer = "}" if isinstance(top[0], dict) else "]"
            if i < n and text[i] == ",":
                i = _skip(text, i + 1)
                if closer == "}":
                    top[1], i = _name(text, i)
                break
            if i < n and text[i] == closer:
                value, i = stack.pop()[0], i + 1
                continue
            raise ValueError(f"the payload is not JSON (expected ',' or {closer!r} at {i})")


def _skip(text: str, i: int) -> int:
    """The index after any JSON whitespace at `i` (the pattern always matches, maybe empty)."""
    found = _WS.match(text, i)
    return found.end() if found else i


def _name(text: str, i: int) -> tuple[str, int]:
    if i >= len(text) or text[i] != '"':
        raise ValueError(f"the payload is not JSON (expected a name at {i})")
    name, i = _string(text, i)
    i = _skip(text, i)
    if i >= len(text) or text[i] != ":":
        raise ValueError(f"the payload is not JSON (expected ':' at {i})")
    return name, _skip(text, i + 1)


def _string(text: str, i: int) -> tuple[str, int]:
    parts = []
    i += 1
    while True:
        plain = _PLAIN.match(text, i)
        if plain is not None:  # always: the pattern may match nothing
            parts.append(plain.group())
            i = plain.end()
        if i >= len(text):
            raise ValueError("the payload is not JSON (an unterminated string)")
        c = text[i]
        if c == '"':
            return "".join(parts), i + 1
        if c != "\\":
            raise ValueError("the payload is not JSON (a control character in a string)")
        escape = text[i + 1 : i + 2]
        if escape in _ESCAPES:
            parts.append(_ESCAPES[escape])
            i += 2
        elif escape == "u" and _HEX4.fullmatch(text, i + 2, i + 6):
            code = int(text[i + 2 : i + 6], 16)
            i += 6
            if 0xD800 <= code <= 0xDFFF:  # only a high then a low surrogate escape name a character
                low = int(text[i + 2 : i + 6], 16) if (
                    code <= 0xDBFF and text.startswith("\\u", i) and _HEX4.fullmatch(text, i + 2, i + 6)) else 0
                if not 0xDC00 <= low <= 0xDFFF:
                    raise ValueError("the payload is not JSON (a lone surrogate escape)")
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                i += 6
            parts.append(chr(code))
        else:
            raise ValueError("the payload is not JSON (an invalid escape)")


def _claims_problem(claims: dict[str, Any], table: dict[str, Any]) -> str | None:
    for name, (kind, required) in table.items():
        if name not in claims:
            if required:
                return f"claim {name!r} is missing"
            continue
        value = claims[name]
        if kind == "str":
            ok = isinstance(value, str)
        elif kind == "bool":
            ok = isinstance(value, bool)
        else:
            ok = (value is None and kind == "int?") or (
                isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_SAFE_INTEGER
            )
        if not ok:
            return f"claim {name!r} is not {'an integer' if kind.startswith('int') else 'a ' + kind} as required"
    if claims["v"] != 1:
        return f"unsupported version {claims['v']}"
    return None
