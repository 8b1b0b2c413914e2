"""What both baselines share: the same Ed25519 signing and checking, with cryptography only."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

KEY_FILE = Path(__file__).resolve().parents[1] / "config/dev-signing-key.pem"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@cache
def signing_key():
    private = serialization.load_pem_private_key(KEY_FILE.read_bytes(), password=None)
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return private, b64(hashlib.sha256(raw).digest()[:8])


def sign_key(lid: str, product: str, tier: str, seats: int, name: str, now: datetime) -> tuple[str, str]:
    private, kid = signing_key()
    payload = b64(json.dumps({"v": 1, "lid": lid, "product": product, "tier": tier, "seats": seats, "name": name,
                              "iat": int(now.timestamp()), "exp": None, "test": False},
                             separators=(",", ":"), ensure_ascii=False).encode())
    signed = f"LIC1.{kid}.{payload}"
    return f"{signed}.{b64(private.sign(signed.encode()))}", kid


def check_key(key: str) -> tuple[str, str | None]:
    """(code, license id): the signature checked; the id only when it holds."""
    private, kid = signing_key()
    try:
        prefix, key_kid, payload, signature = key.split(".")
        if prefix != "LIC1" or key_kid != kid:
            return "BAD_SIGNATURE", None
        private.public_key().verify(unb64(signature), f"{prefix}.{key_kid}.{payload}".encode())
        return "VALID", json.loads(unb64(payload))["lid"]
    except InvalidSignature:
        return "BAD_SIGNATURE", None
    except (ValueError, KeyError):
        return "MALFORMED", None
