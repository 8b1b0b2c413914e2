"""`live_lease`: a machine activated on the live server of `live_license`, for client tests
that verify a lease a real licensemint issued (tests/clients/conftest.py offers it to every
test under tests/clients)."""

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
    lid: str
    """The license id `POST /v1/licenses/validate` answers for `key`: the lease's `lid` claim."""
    public_keys: list[str]
    """As `GET /v1/keys` publishes them."""
    base: str
    lease_expires_at: str


def post(base: str, path: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + path, method="POST", headers={"Content-Type": "application/json"}, data=json.dumps(body).encode(),
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.load(response)


def activate(base: str, key: str, fingerprint: str) -> tuple[int, dict]:
    return post(base, "/v1/licenses/activate", {"key": key, "fingerprint": fingerprint, "label": "client tests"})


@pytest.fixture(scope="session")
def live_lease(live_license) -> LiveLease:
    """The sample sale's license (one seat) activated on one machine; asking again only
    refreshes the same seat, so every client's tests can share it."""
    status, body = activate(live_license.base, live_license.key, FINGERPRINT)
    assert status in (200, 201) and body["code"] == "ACTIVATED", body
    status, validation = post(live_license.base, "/v1/licenses/validate", {"key": live_license.key})
    assert (status, validation["code"]) == (200, "VALID"), validation
    return LiveLease(
        lease=body["lease"], fingerprint=FINGERPRINT, machine=machine_hash(FINGERPRINT), key=live_license.key,
        lid=validation["license"]["id"],
        public_keys=live_license.public_keys, base=live_license.base,
        lease_expires_at=body["activation"]["lease_expires_at"],
    )
