"""What a license key says. The signed encoding lives behind the Signer port."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenseClaims:
    lid: str
    product: str
    tier: str
    seats: int
    name: str
    iat: int
    exp: int | None
    test: bool

    def to_payload(self) -> dict:
        return {
            "v": 1,
            "lid": self.lid,
            "product": self.product,
            "tier": self.tier,
            "seats": self.seats,
            "name": self.name,
            "iat": self.iat,
            "exp": self.exp,
            "test": self.test,
        }


@dataclass(frozen=True, slots=True)
class SignedKey:
    key: str
    kid: str


@dataclass(frozen=True, slots=True)
class KeyCheck:
    """What a key says about itself, offline: `code` is VALID, EXPIRED, BAD_SIGNATURE
    (including an unknown key id) or MALFORMED; claims are present once the signature holds."""

    code: str
    reason: str
    claims: dict | None = None
