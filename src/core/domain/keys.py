"""What a license key and a machine lease say. The signed encoding lives behind the Signer port."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

KEY_WHITESPACE = " \t\r\n"
"""The only characters removed around a key or lease before it is checked (docs/key-format.md)."""
MAX_KEY_LENGTH = 4096
"""The longest key or lease, in bytes, after those are removed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenseClaims:
    lid: str
    product: str
    tier: str
    seats: int
    name: str | None
    """The licensee's name, readable by anyone holding the key; None leaves it out (the
    product's catalog entry says `key_name: false`, or a gift names no receiver)."""
    iat: int
    exp: int | None
    test: bool

    def to_payload(self) -> dict[str, object]:
        payload: dict[str, object] = {
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
        if self.name is None:
            del payload["name"]
        return payload


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaseClaims:
    """What a machine lease says (for machine activation, issue 13): this license may run on
    the machine whose fingerprint hashes to `machine` until `exp` (Unix seconds, UTC)."""

    lid: str
    product: str
    tier: str
    machine: str
    """Lowercase hex SHA-256 of the UTF-8 bytes of the app's fingerprint string."""
    iat: int
    exp: int
    test: bool

    def to_payload(self) -> dict[str, Any]:
        return {
            "v": 1,
            "lid": self.lid,
            "product": self.product,
            "tier": self.tier,
            "machine": self.machine,
            "iat": self.iat,
            "exp": self.exp,
            "test": self.test,
        }


@dataclass(frozen=True, slots=True)
class SignedKey:
    key: str
    kid: str


class ValidationCode(str, enum.Enum):
    """The answer to "is this key good?". Offline: VALID, EXPIRED, BAD_SIGNATURE (an unknown
    key id included) or MALFORMED; online also UNKNOWN, REVOKED and SUSPENDED."""

    VALID = "VALID"
    EXPIRED = "EXPIRED"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    MALFORMED = "MALFORMED"
    UNKNOWN = "UNKNOWN"
    REVOKED = "REVOKED"
    SUSPENDED = "SUSPENDED"


@dataclass(frozen=True, slots=True)
class KeyCheck:
    """What a key says about itself, offline; claims are present once the signature holds."""

    code: ValidationCode
    reason: str
    claims: dict[str, Any] | None = None
