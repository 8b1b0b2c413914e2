"""The `live_lease` fixture gives what client tests need: a lease a running licensemint
signed, for this machine, with the published keys that verify it."""

import base64
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from adapters.signing.verifier import key_id
from tests.clients.live_lease import FINGERPRINT, LiveLease, activate
from tests.clients.live_lease import live_lease  # noqa: F401  (fixture)
from tests.lease_check import read_lease


def _public(text: str) -> Ed25519PublicKey:
    raw = base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_").rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    return Ed25519PublicKey.from_public_bytes(raw)


def test_the_live_lease_is_signed_by_a_published_key_for_this_machine(live_lease: LiveLease):
    keys = {key_id(k): k for k in map(_public, live_lease.public_keys)}
    claims = read_lease(live_lease.lease, keys)
    assert claims["machine"] == live_lease.machine and len(claims["machine"]) == 64
    assert claims["iat"] <= time.time() < claims["exp"]
    status, body = activate(live_lease.base, live_lease.key, FINGERPRINT)
    assert (status, body["code"]) == (200, "ACTIVATED")  # the same machine refreshes, takes no new seat
