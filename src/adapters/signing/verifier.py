"""Offline verification of licensemint keys (format LIC1).

This module is meant to be copied into a desktop app: it depends on nothing but the
Python standard library and `cryptography`. Give it the public keys your licensemint
server publishes (`GET /v1/keys`, or `licensemint keygen` output) and a key string:

    from verifier import verify, load_public_key
    keys = [load_public_key("MCowBQYDK2VwAyEA...")]   # base64 of the raw 32 bytes, or PEM
    result = verify(key_string, keys)
    if result.valid: print(result.claims["product"], result.claims["seats"])
    else: print(result.reason)

Format: LIC1.<kid>.<payload>.<signature>, each part base64url without padding; the
signature is Ed25519 over the ASCII bytes "LIC1.<kid>.<payload>"; kid is the first 8 bytes
of SHA-256 of the raw public key; payload is compact UTF-8 JSON. The prefix fixes the
algorithm: no field inside the key can change it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

PREFIX = "LIC1"
MAX_KEY_LENGTH = 4096
_REQUIRED = {"v": int, "lid": str, "product": str, "tier": str, "seats": int, "iat": int}


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str
    """"ok", or why not: "malformed: ...", "unknown key id", "bad signature", "expired"."""
    claims: dict[str, Any] = field(default_factory=dict)
    kid: str | None = None

    @property
    def code(self) -> str:
        """MALFORMED, BAD_SIGNATURE, EXPIRED or VALID; an unknown key id is a bad signature."""
        if self.valid:
            return "VALID"
        if self.reason.startswith("malformed"):
            return "MALFORMED"
        if self.reason == "expired":
            return "EXPIRED"
        return "BAD_SIGNATURE"


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not text or any(c not in _B64URL for c in text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url_encode(data) != text:  # refuse non-canonical encodings (stray trailing bits)
        raise ValueError("non-canonical base64url")
    return data


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64url_encode(hashlib.sha256(raw).digest()[:8])


def load_public_key(text: str | bytes) -> Ed25519PublicKey:
    """A public key from PEM, or from base64 (standard or url-safe) of the raw 32 bytes."""
    data = text.encode("ascii") if isinstance(text, str) else text
    if data.strip().startswith(b"-----BEGIN"):
        key = serialization.load_pem_public_key(data)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    raw = base64.b64decode(data.strip().replace(b"-", b"+").replace(b"_", b"/") + b"==")
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def verify(
    key: str, public_keys: Iterable[Ed25519PublicKey], *, now: float | None = None
) -> Verification:
    """Checks `key` against the given public keys; never raises for a bad key."""
    key = key.strip()
    if len(key) > MAX_KEY_LENGTH:
        return Verification(False, "malformed: too long")
    parts = key.split(".")
    if len(parts) != 4:
        return Verification(False, "malformed: expected 4 dot-separated parts")
    prefix, kid, payload_b64, signature_b64 = parts
    if prefix != PREFIX:
        return Verification(False, f"malformed: unknown prefix {prefix[:10]!r}")
    try:
        kid_bytes = b64url_decode(kid)
        payload_bytes = b64url_decode(payload_b64)
        signature = b64url_decode(signature_b64)
    except (ValueError, binascii.Error):
        return Verification(False, "malformed: a part is not base64url")
    if len(kid_bytes) != 8 or len(signature) != 64:
        return Verification(False, "malformed: wrong key id or signature length")
    try:
        claims = json.loads(payload_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return Verification(False, "malformed: payload is not JSON")
    if not isinstance(claims, dict):
        return Verification(False, "malformed: payload is not a JSON object")
    for name, kind in _REQUIRED.items():
        if not isinstance(claims.get(name), kind) or isinstance(claims.get(name), bool):
            return Verification(False, f"malformed: claim {name!r} missing or of the wrong type")
    if claims["v"] != 1:
        return Verification(False, f"malformed: unsupported version {claims['v']}")

    public_key = next((k for k in public_keys if key_id(k) == kid), None)
    if public_key is None:
        return Verification(False, "unknown key id", kid=kid)
    try:
        public_key.verify(signature, f"{prefix}.{kid}.{payload_b64}".encode("ascii"))
    except InvalidSignature:
        return Verification(False, "bad signature", kid=kid)

    exp = claims.get("exp")
    if exp is not None:
        if not isinstance(exp, int) or isinstance(exp, bool):
            return Verification(False, "malformed: claim 'exp' is not a timestamp", kid=kid)
        if (time.time() if now is None else now) >= exp:
            return Verification(False, "expired", claims=claims, kid=kid)
    return Verification(True, "ok", claims=claims, kid=kid)
