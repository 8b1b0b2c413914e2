"""Signing LIC1 keys and LEASE1 machine leases with Ed25519, and the keyring the server signs and verifies with."""

from __future__ import annotations

from typing import Any

from collections.abc import Sequence

import base64
import json
import math
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from adapters.signing.verifier import (
    LEASE_PREFIX,
    PREFIX,
    Verification,
    b64url_encode,
    key_id,
    load_public_key,
    public_key_text,
    verify,
)
from core.domain.keys import KeyCheck, LeaseClaims, LicenseClaims, SignedKey, ValidationCode


class SigningKeyError(Exception):
    """A configured key cannot be used; the message says which setting and why."""


@dataclass(frozen=True)
class PublishedKey:
    kid: str
    public_key: Ed25519PublicKey
    signing: bool

    @property
    def public_text(self) -> str:
        """The published encoding: base64url without padding of the raw 32 bytes."""
        return public_key_text(self.public_key)


class Ed25519Signer:
    """One private key that signs; every public key (its own included) that verifies."""

    def __init__(self, signing_key: Ed25519PrivateKey, extra_public: Sequence[Ed25519PublicKey] = ()):
        self._private = signing_key
        self.signing_kid = key_id(signing_key.public_key())
        keys = {self.signing_kid: PublishedKey(self.signing_kid, signing_key.public_key(), True)}
        for public in extra_public:
            kid = key_id(public)
            keys.setdefault(kid, PublishedKey(kid, public, False))
        self.published = list(keys.values())

    def sign(self, claims: LicenseClaims) -> SignedKey:
        return self._sign(PREFIX, claims.to_payload())

    def sign_lease(self, claims: LeaseClaims) -> SignedKey:
        return self._sign(LEASE_PREFIX, claims.to_payload())

    def _sign(self, prefix: str, payload: dict[str, Any]) -> SignedKey:
        """`prefix.kid.payload.sig`: compact UTF-8 JSON, base64url without padding, and an
        Ed25519 signature over the ASCII text `prefix.kid.payload`."""
        encoded = b64url_encode(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        signed_part = f"{prefix}.{self.signing_kid}.{encoded}"
        signature = b64url_encode(self._private.sign(signed_part.encode("ascii")))
        return SignedKey(key=f"{signed_part}.{signature}", kid=self.signing_kid)

    def verify(self, key: str, *, now: int | None = None) -> Verification:
        return verify(key, [k.public_key for k in self.published], now=now)

    def check(self, key: str, *, now: float) -> KeyCheck:
        result = self.verify(key, now=math.floor(now))
        return KeyCheck(ValidationCode(result.code), result.reason, result.claims or None)


def generate_keypair(directory: Path) -> tuple[Path, Path, str]:
    """Writes signing-key.pem (private, mode 0600) and public-key.pem; answers their kid.
    The published encoding of the public key is `public_key_text(load_public_key(...))`."""
    directory.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    private_path = directory / "signing-key.pem"
    public_path = directory / "public-key.pem"
    if private_path.exists():
        raise SigningKeyError(f"{private_path} exists; refusing to overwrite a signing key")
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    private_path.touch(mode=0o600)
    private_path.write_bytes(pem)
    public_path.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private_path, public_path, key_id(private.public_key())


def load_private_key(value: str, setting: str) -> Ed25519PrivateKey:
    """A private key from PEM text, from a path to a PEM file, or from base64 of the raw
    32-byte seed."""
    text = value.strip()
    if not text.startswith("-----BEGIN"):
        path = Path(text)
        if path.is_file():
            try:
                text = path.read_text(encoding="ascii").strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise SigningKeyError(f"{setting}: cannot read {path}: {exc}") from None
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        else:
            raw = base64.b64decode(text.replace("-", "+").replace("_", "/") + "==", validate=False)
            if len(raw) != 32:
                raise ValueError("neither a PEM key, a readable file, nor base64 of 32 bytes")
            key = Ed25519PrivateKey.from_private_bytes(raw)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"{setting}: not a usable Ed25519 private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{setting}: the key is not an Ed25519 key")
    return key


def load_public_keys(values: list[str], setting: str) -> list[Ed25519PublicKey]:
    keys = []
    for i, value in enumerate(values):
        text = value.strip()
        path = Path(text)
        if not text.startswith("-----BEGIN") and path.is_file():
            text = path.read_text(encoding="ascii")
        try:
            keys.append(load_public_key(text))
        except (ValueError, TypeError) as exc:
            raise SigningKeyError(f"{setting}: entry {i + 1} is not an Ed25519 public key ({exc})") from None
    return keys
