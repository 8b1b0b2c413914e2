"""Machines activated on a license: who holds a seat, how long a lease lasts, when a seat
that nobody refreshes is given back."""

from __future__ import annotations

import calendar
import enum
import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.domain.catalog import Tier
from core.domain.errors import DomainError

FINGERPRINT_MIN, FINGERPRINT_MAX = 8, 256
LABEL_MAX, PLATFORM_MAX = 200, 50
DEFAULT_LEASE_DAYS = 30
DEFAULT_GRACE_DAYS = 7


class ActivationAction(str, enum.Enum):
    ACTIVATED = "activated"
    REFRESHED = "refreshed"
    DEACTIVATED = "deactivated"
    RELEASED = "released"
    SEATS_CHANGED = "seats_changed"


class ActivationActor(str, enum.Enum):
    BUYER = "buyer"
    OPERATOR = "operator"
    SYSTEM = "system"


class ActivationCode(str, enum.Enum):
    """What an activation or deactivation answers, besides a key's validation code."""

    ACTIVATED = "ACTIVATED"
    DEACTIVATED = "DEACTIVATED"
    TOO_MANY_MACHINES = "TOO_MANY_MACHINES"
    NOT_ACTIVATED = "NOT_ACTIVATED"
    INVALID_FINGERPRINT = "INVALID_FINGERPRINT"


class InvalidFingerprint(DomainError):
    code = "INVALID_FINGERPRINT"


@dataclass(frozen=True, slots=True, kw_only=True)
class Activation:
    """One machine holding a seat. `machine` is the fingerprint's hash; the fingerprint
    itself is never stored."""

    id: str
    license_id: str
    machine: str
    label: str | None
    platform: str | None
    activated_at: datetime
    refreshed_at: datetime
    lease_expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivationRecord:
    """One activation, refresh, deactivation, automatic release or seat change. Append-only."""

    license_id: str
    at: datetime
    action: ActivationAction
    actor_type: ActivationActor
    actor_id: str | None = None
    activation_id: str | None = None
    machine: str | None = None
    detail: str | None = None


def machine_hash(fingerprint: str) -> str:
    """Lowercase hex SHA-256 of the fingerprint's UTF-8 bytes: the lease's `machine` claim."""
    return hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()


def check_fingerprint(fingerprint: object) -> str:
    """The fingerprint as given, when it is 8–256 printable ASCII characters."""
    if not isinstance(fingerprint, str):
        raise InvalidFingerprint("fingerprint: required, a string")
    if not FINGERPRINT_MIN <= len(fingerprint) <= FINGERPRINT_MAX:
        raise InvalidFingerprint(f"fingerprint: {FINGERPRINT_MIN} to {FINGERPRINT_MAX} characters")
    if not all("\x21" <= c <= "\x7e" for c in fingerprint):
        raise InvalidFingerprint("fingerprint: printable ASCII only (U+0021 to U+007E, no spaces)")
    return fingerprint


@dataclass(frozen=True, slots=True, kw_only=True)
class LeasePolicy:
    """A tier's lease terms, in days."""

    lease_days: int = DEFAULT_LEASE_DAYS
    grace_days: int = DEFAULT_GRACE_DAYS
    release_after_days: int | None = None

    @classmethod
    def of(cls, tier: Tier | None) -> LeasePolicy:
        if tier is None:
            return cls()
        return cls(lease_days=tier.lease_days, grace_days=tier.grace_days,
                   release_after_days=tier.release_after_days)

    @property
    def release_after(self) -> timedelta:
        """How long after its lease ended an unrefreshed seat is given back (default: two
        lease lengths)."""
        days = self.release_after_days if self.release_after_days is not None else 2 * self.lease_days
        return timedelta(days=days)

    def lease_until(self, now: datetime, *, expires_at: datetime | None, paid_until: datetime | None) -> datetime:
        """A lease's expiry: the tier's lease length, never past the license's own expiry,
        and for a membership never past the end of the paid period plus the grace."""
        until = now + timedelta(days=self.lease_days)
        if expires_at is not None:
            until = min(until, expires_at)
        if paid_until is not None:
            until = min(until, paid_until + timedelta(days=self.grace_days))
        return until

    def lapsed(self, activation: Activation, now: datetime) -> bool:
        return activation.lease_expires_at + self.release_after <= now


def refreshed(activation: Activation, *, now: datetime, until: datetime, label: str | None,
              platform: str | None) -> Activation:
    return replace(
        activation, refreshed_at=now, lease_expires_at=until,
        label=label if label is not None else activation.label,
        platform=platform if platform is not None else activation.platform,
    )


_RECURRENCE_MONTHS = {"monthly": 1, "quarterly": 3, "biannually": 6, "yearly": 12, "every_two_years": 24}


def paid_period_end(charged_at: datetime, recurrence: str | None) -> datetime | None:
    """The end of the period a membership charge pays for (the charge time plus the
    recurrence, in calendar months); None when the recurrence is unknown."""
    months = _RECURRENCE_MONTHS.get(recurrence or "")
    if months is None:
        return None
    index = charged_at.month - 1 + months
    year, month = charged_at.year + index // 12, index % 12 + 1
    day = min(charged_at.day, calendar.monthrange(year, month)[1])
    return charged_at.replace(year=year, month=month, day=day)
