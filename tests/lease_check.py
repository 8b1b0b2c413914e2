"""A lease read the way the key format says (signature first, then the payload), for tests
that need a lease's claims without depending on a particular verifier."""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def read_lease(lease: str, public_keys: dict[str, Ed25519PublicKey]) -> dict:
    """The claims of a well-signed LEASE1 token; AssertionError otherwise."""
    prefix, kid, payload, sig = lease.split(".")
    assert prefix == "LEASE1", prefix
    assert "=" not in lease and kid in public_keys, kid
    public_keys[kid].verify(_b64(sig), f"{prefix}.{kid}.{payload}".encode("ascii"))
    return json.loads(_b64(payload))
