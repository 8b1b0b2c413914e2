"""The `live_lease` fixture gives what client tests need: a lease a running licensemint
signed, for this machine, with the published keys that verify it; licensemint's own Python
verifier accepts it as every client's must."""

import time

from adapters.signing.verifier import VALID, load_public_key, machine_hash, verify, verify_lease
from tests.clients.live_lease import FINGERPRINT, LiveLease, activate


def test_verify_lease_accepts_the_live_lease_for_this_machine_and_license(live_lease: LiveLease):
    keys = [load_public_key(k) for k in live_lease.public_keys]
    result = verify_lease(live_lease.lease, keys)
    assert result.code == VALID, result.reason
    claims = result.claims
    assert claims["machine"] == live_lease.machine == machine_hash(FINGERPRINT) and len(claims["machine"]) == 64
    assert claims["lid"] == live_lease.lid == verify(live_lease.key, keys).claims["lid"]
    assert claims["iat"] <= time.time() < claims["exp"]
    # a lease is not a key, and a key is not a lease
    assert (verify(live_lease.lease, keys).code, verify_lease(live_lease.key, keys).code) == ("MALFORMED",) * 2


def test_the_same_machine_activating_again_refreshes_its_seat(live_lease: LiveLease):
    status, body = activate(live_lease.base, live_lease.key, FINGERPRINT)
    assert (status, body["code"]) == (200, "ACTIVATED")  # the same machine refreshes, takes no new seat
