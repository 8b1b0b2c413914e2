"""`live_lease`: a machine activated on the live server of `live_license`, for client tests
that verify a lease a real licensemint issued. Import it into a test module (or a client's
conftest) next to `live_license`:

    from tests.clients.live_lease import live_lease  # noqa: F401  (fixture)
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass

import pytest

from core.domain.activation import machine_hash

FINGERPRINT = "licensemint-client-tests-machine-0001"


@dataclass(frozen=True)
class LiveLease:
    lease: str
    """LEASE1.<kid>.<payload>.<sig>, as `POST /v1/licenses/activate` answered it."""
    fingerprint: str
    machine: str
    """Lowercase hex SHA-256 of the fingerprint: the lease's `machine` claim."""
    key: str
    public_keys: list[str]
    """As `GET /v1/keys` publishes them."""
    base: str
    lease_expires_at: str


def activate(base: str, key: str, fingerprint: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + "/v1/licenses/activate", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"key": key, "fingerprint": fingerprint, "label": "client tests"}).encode(),
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.load(response)


@pytest.fixture(scope="session")
def live_lease(live_license) -> LiveLease:
    """The sample sale's license (one seat) activated on one machine; asking again only
    refreshes the same seat, so every client's tests can share it."""
    status, body = activate(live_license.base, live_license.key, FINGERPRINT)
    assert status in (200, 201) and body["code"] == "ACTIVATED", body
    return LiveLease(
        lease=body["lease"], fingerprint=FINGERPRINT, machine=machine_hash(FINGERPRINT), key=live_license.key,
        public_keys=live_license.public_keys, base=live_license.base,
        lease_expires_at=body["activation"]["lease_expires_at"],
    )
