"""Signing license keys and machine leases. The key format is the adapter's; the claims are the core's."""

from __future__ import annotations

from typing import Protocol

from core.domain.keys import KeyCheck, LeaseClaims, LicenseClaims, SignedKey


class Signer(Protocol):
    def sign(self, claims: LicenseClaims) -> SignedKey:
        """A key that any holder of the matching public key can verify offline."""

    def sign_lease(self, claims: LeaseClaims) -> SignedKey:
        """A machine lease (LEASE1), signed with the same key as license keys."""


class KeyVerifier(Protocol):
    def check(self, key: str, *, now: float) -> KeyCheck:
        """The same answer the offline verifier gives, against every published key."""
