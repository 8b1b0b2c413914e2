"""The records licensemint keeps. Frozen: a change is a new value (`dataclasses.replace`)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.domain.catalog import Tier
from core.domain.errors import DomainError
from core.domain.keys import LicenseClaims, SignedKey
from core.domain.notices import NoticeKind

Sign = Callable[[LicenseClaims], SignedKey]


class EventStatus(str, enum.Enum):
    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"
    PENDING_CONFIRMATION = "pending confirmation"
    """A sale ping waiting for the platform to confirm it (the platform could not be asked)."""


class EventOrigin(str, enum.Enum):
    """Where an event's body came from."""

    WEBHOOK = "webhook"
    RECONCILE = "reconcile"
    """Written by reconciliation from the platform's sales list, in the webhook's own format."""


class OutcomeCode(str, enum.Enum):
    """What processing an event came to, in a word a program can match on."""

    MINTED = "minted"
    DUPLICATE = "duplicate"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    RECORDED = "recorded"
    """Nothing to apply it to yet; it is part of the state once its license exists."""
    PREORDER = "preorder"
    TEST_PING = "test_ping"
    MALFORMED = "malformed"
    UNMAPPED_PRODUCT = "unmapped_product"
    UNMAPPED_TIER = "unmapped_tier"
    NO_PARSER = "no_parser"
    UNCONFIRMED = "unconfirmed"
    """The platform does not know the sale (a forged or mistaken ping): nothing minted."""
    PENDING_CONFIRMATION = "pending_confirmation"
    """The platform could not be asked yet; the worker asks again."""
    REJECTED_VALUE = "rejected_value"
    """A value the store cannot keep (too long, a NUL byte); the reason names the field."""
    UNEXPECTED_ERROR = "unexpected_error"


class LicenseStatus(str, enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class DeliveryStatus(str, enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"
    WITHDRAWN = "withdrawn"
    """Not sent, and never will be: its license left active, or got a newer key, first."""


class ActorType(str, enum.Enum):
    EVENT = "event"
    ADMIN = "admin"
    SYSTEM = "system"


class IllegalTransition(DomainError):
    code = "illegal_transition"


# The moves a license's status may make; staying put is not a move.
ALLOWED = {
    (LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED),
    (LicenseStatus.ACTIVE, LicenseStatus.REVOKED),
    (LicenseStatus.SUSPENDED, LicenseStatus.ACTIVE),
    (LicenseStatus.SUSPENDED, LicenseStatus.REVOKED),
    (LicenseStatus.REVOKED, LicenseStatus.ACTIVE),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """Who caused a change: a platform event (by id), an admin (by name) or the system."""

    type: ActorType
    id: str | None

    @classmethod
    def event(cls, event_id: str) -> Actor:
        return cls(type=ActorType.EVENT, id=event_id)

    @classmethod
    def admin(cls, name: str) -> Actor:
        return cls(type=ActorType.ADMIN, id=name)


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """A webhook body exactly as received, and what processing made of it."""

    id: str
    source: str
    body: bytes
    content_type: str
    received_at: datetime
    status: EventStatus = EventStatus.RECEIVED
    kind: NoticeKind | None = None
    external_id: str | None = None
    outcome: str | None = None
    attempts: int = 0
    processed_at: datetime | None = None
    outcome_code: OutcomeCode | None = None
    origin: EventOrigin = EventOrigin.WEBHOOK


@dataclass(frozen=True, slots=True, kw_only=True)
class License:
    id: str
    source: str
    order_id: str
    product: str
    tier: str
    seats: int
    email: str
    licensee: str | None
    """The name the key carries; None when the purchase gives none we may use (a gift)."""
    test: bool
    status: LicenseStatus
    key: str
    kid: str
    issued_at: datetime
    expires_at: datetime | None = None
    status_reason: str | None = None
    subscription_id: str | None = None
    created_at: datetime
    updated_at: datetime
    paid_until: datetime | None = None
    """For a membership: the end of the period its latest charge paid for (leases stop
    there plus the tier's grace); None for one-time sales and unknown recurrences."""
    quantity: int = 1
    price_cents: int | None = None
    currency: str | None = None
    key_generation: int = 1
    """1 for the first key; one more each time the license is re-keyed (a tier change)."""
    gifted_by: str | None = None
    """The gifter's email, when the license was a gift."""

    @classmethod
    def issue(
        cls, *, id: str, source: str, order_id: str, product: str, tier: Tier, quantity: int,
        email: str, licensee: str | None, test: bool, subscription_id: str | None,
        price_cents: int | None, currency: str | None, gifted_by: str | None,
        status: LicenseStatus, status_reason: str | None, generation: int, sign: Sign,
        now: datetime, actor: Actor, reason: str, paid_until: datetime | None = None, key_name: bool = True,
    ) -> tuple[License, HistoryEntry]:
        """A new license with its signed key, and the history row of its birth. `key_name`
        false (the product's catalog entry) leaves the licensee's name out of the key."""
        unsigned = cls(
            id=id, source=source, order_id=order_id, product=product, tier=tier.key,
            seats=tier.seats * quantity, email=email, licensee=licensee, test=test, status=status,
            status_reason=status_reason, key="", kid="", issued_at=now, subscription_id=subscription_id,
            created_at=now, updated_at=now, quantity=quantity, price_cents=price_cents,
            currency=currency, key_generation=generation, gifted_by=gifted_by, paid_until=paid_until,
        )
        lic = unsigned._signed(tier, sign, now, key_name)
        return lic, HistoryEntry(
            license_id=id, at=now, from_status=None, to_status=status, reason=reason,
            actor_type=actor.type, actor_id=actor.id,
        )

    def rekey(
        self, *, tier: Tier, quantity: int, generation: int, sign: Sign, now: datetime, actor: Actor,
        key_name: bool = True,
    ) -> tuple[License, HistoryEntry]:
        """The same license with a new key for new terms (tier, seats); the old key stops
        validating online, since it is no longer the license's key."""
        moved = replace(self, tier=tier.key, quantity=quantity, seats=tier.seats * quantity,
                        key_generation=generation, updated_at=now)._signed(tier, sign, now, key_name)
        what = f"tier changed {self.tier} → {tier.key}" if tier.key != self.tier else \
            f"seats changed {self.seats} → {moved.seats}"
        return moved, HistoryEntry(
            license_id=self.id, at=now, from_status=self.status, to_status=self.status,
            reason=f"{what}; new key issued", actor_type=actor.type, actor_id=actor.id,
        )

    def follow(self, to: LicenseStatus, reason: str, actor: Actor, now: datetime) -> tuple[License, HistoryEntry]:
        """The license in the status its platform events now call for. Unlike an admin's
        `move`, any change is allowed: the events decide."""
        moved = replace(self, status=to, status_reason=None if to is LicenseStatus.ACTIVE else reason, updated_at=now)
        return moved, HistoryEntry(
            license_id=self.id, at=now, from_status=self.status, to_status=to, reason=reason,
            actor_type=actor.type, actor_id=actor.id,
        )

    def move(self, to: LicenseStatus, reason: str, actor: Actor, now: datetime) -> tuple[License, HistoryEntry]:
        """The license in its new status and the history row; IllegalTransition when the
        move is not allowed (including to the status it already has)."""
        if (self.status, to) not in ALLOWED:
            raise IllegalTransition(f"license {self.id} is {self.status.value}; it cannot become {to.value}")
        moved = replace(self, status=to, status_reason=None if to is LicenseStatus.ACTIVE else reason, updated_at=now)
        return moved, HistoryEntry(
            license_id=self.id, at=now, from_status=self.status, to_status=to, reason=reason,
            actor_type=actor.type, actor_id=actor.id,
        )

    def claims(self, key_name: bool = True) -> LicenseClaims:
        return LicenseClaims(
            lid=self.id, product=self.product, tier=self.tier, seats=self.seats,
            name=self.licensee if key_name else None,
            iat=int(self.issued_at.timestamp()),
            exp=int(self.expires_at.timestamp()) if self.expires_at else None, test=self.test,
        )

    def email_due(self, deliveries: Sequence[Delivery]) -> bool:
        """Whether the buyer should now get an email: the license is active and its current
        key has not been queued, sent or given up on."""
        return self.status is LicenseStatus.ACTIVE and not any(
            d.key_generation == self.key_generation and d.status is not DeliveryStatus.WITHDRAWN
            for d in deliveries
        )

    def _signed(self, tier: Tier, sign: Sign, now: datetime, key_name: bool) -> License:
        days = tier.expires_after_days
        timed = replace(self, issued_at=now, expires_at=now + timedelta(days=days) if days else None)
        signed = sign(timed.claims(key_name))
        return replace(timed, key=signed.key, kid=signed.kid)


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryEntry:
    """One change of a license's state, with what caused it. Append-only."""

    license_id: str
    at: datetime
    from_status: LicenseStatus | None
    to_status: LicenseStatus
    reason: str
    actor_type: ActorType
    actor_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """An email waiting to go out (the outbox), and what happened to it."""

    id: str
    license_id: str
    recipient: str
    status: DeliveryStatus
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    lease_until: datetime | None = None
    worker_id: str | None = None
    last_error: str | None = None
    provider_message_id: str | None = None
    sent_at: datetime | None = None
    key_generation: int = 1
    """Which of the license's keys this email is for."""

    @classmethod
    def queue(cls, *, id: str, license: License, now: datetime) -> Delivery:
        return cls(
            id=id, license_id=license.id, recipient=license.email, status=DeliveryStatus.PENDING,
            created_at=now, next_attempt_at=now, key_generation=license.key_generation,
        )

    def outdated_by(self, license: License, now: datetime) -> bool:
        """Still waiting (and no worker holds it) while its license is no longer active or
        has a newer key: sending it now would deliver the wrong thing."""
        waiting = self.status is DeliveryStatus.PENDING and (self.lease_until is None or self.lease_until < now)
        return waiting and (
            license.status is not LicenseStatus.ACTIVE or self.key_generation != license.key_generation
        )

    def withdraw(self) -> Delivery:
        return replace(self, status=DeliveryStatus.WITHDRAWN, last_error="withdrawn: no longer due")


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryAttempt:
    """One try at sending a delivery, as the mailer answered it."""

    delivery_id: str
    at: datetime
    outcome: str
    worker_id: str
    provider_message_id: str | None = None
    error: str | None = None
