"""The records licensemint keeps. Frozen: a change is a new value (`dataclasses.replace`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


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


class LicenseStatus(str, enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class DeliveryStatus(str, enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class ActorType(str, enum.Enum):
    EVENT = "event"
    ADMIN = "admin"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """A webhook body exactly as received, and what processing made of it."""

    id: str
    source: str
    body: bytes
    content_type: str
    received_at: datetime
    status: EventStatus = EventStatus.RECEIVED
    kind: str | None = None
    external_id: str | None = None
    outcome: str | None = None
    attempts: int = 0
    processed_at: datetime | None = None
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
    licensee: str
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


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryAttempt:
    """One try at sending a delivery, as the mailer answered it."""

    delivery_id: str
    at: datetime
    outcome: str
    worker_id: str
    provider_message_id: str | None = None
    error: str | None = None
