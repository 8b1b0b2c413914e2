"""Our products and tiers, and the answer to "which of ours is this sale?"."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Tier:
    key: str
    name: str
    expires_after_days: int | None = None
    lease_days: int = 30
    grace_days: int = 7
    release_after_days: int | None = None
    seats: int = 1
    """Seats one unit of this tier gives; a purchase's `quantity` multiplies it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Product:
    key: str
    name: str
    tiers: dict[str, Tier]
    support_email: str | None = None
    activation: str | None = None
    template: str | None = None
    key_name: bool = True
    """Whether the licensee's name goes into the key (anyone holding the key can read it)."""
    activation_link: str | None = None
    """A deep link with a `{key}` placeholder (e.g. `myapp://activate?key={key}`) for the email."""

    def name_in_key(self, licensee: str | None) -> str | None:
        return licensee if self.key_name and licensee else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Mapping:
    """Where a sale lands: one of our products and one of its tiers."""

    product: Product
    tier: Tier
