"""Rows to frozen domain dataclasses and back, explicitly."""

from __future__ import annotations

from typing import Any

from core.domain.model import (
    ActorType,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Event,
    EventStatus,
    HistoryEntry,
    License,
    LicenseStatus,
)


def event_from_row(row: Any) -> Event:
    return Event(
        id=row.id,
        source=row.source,
        body=bytes(row.body),
        content_type=row.content_type,
        received_at=row.received_at,
        status=EventStatus(row.status),
        kind=row.kind,
        external_id=row.external_id,
        outcome=row.outcome,
        attempts=row.attempts,
        processed_at=row.processed_at,
    )


def event_to_row(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "source": event.source,
        "body": event.body,
        "content_type": event.content_type,
        "received_at": event.received_at,
        "status": event.status.value,
        "kind": event.kind,
        "external_id": event.external_id,
        "outcome": event.outcome,
        "attempts": event.attempts,
        "processed_at": event.processed_at,
    }


def license_from_row(row: Any) -> License:
    return License(
        id=row.id,
        source=row.source,
        order_id=row.order_id,
        product=row.product,
        tier=row.tier,
        seats=row.seats,
        email=row.email,
        licensee=row.licensee,
        test=bool(row.test),
        status=LicenseStatus(row.status),
        status_reason=row.status_reason,
        key=row.key,
        kid=row.kid,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        subscription_id=row.subscription_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def license_to_row(lic: License) -> dict[str, Any]:
    return {
        "id": lic.id,
        "source": lic.source,
        "order_id": lic.order_id,
        "product": lic.product,
        "tier": lic.tier,
        "seats": lic.seats,
        "email": lic.email,
        "licensee": lic.licensee,
        "test": lic.test,
        "status": lic.status.value,
        "status_reason": lic.status_reason,
        "key": lic.key,
        "kid": lic.kid,
        "issued_at": lic.issued_at,
        "expires_at": lic.expires_at,
        "subscription_id": lic.subscription_id,
        "created_at": lic.created_at,
        "updated_at": lic.updated_at,
    }


def history_from_row(row: Any) -> HistoryEntry:
    return HistoryEntry(
        license_id=row.license_id,
        at=row.at,
        from_status=LicenseStatus(row.from_status) if row.from_status else None,
        to_status=LicenseStatus(row.to_status),
        reason=row.reason,
        actor_type=ActorType(row.actor_type),
        actor_id=row.actor_id,
    )


def history_to_row(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "license_id": entry.license_id,
        "at": entry.at,
        "from_status": entry.from_status.value if entry.from_status else None,
        "to_status": entry.to_status.value,
        "reason": entry.reason,
        "actor_type": entry.actor_type.value,
        "actor_id": entry.actor_id,
    }


def delivery_from_row(row: Any) -> Delivery:
    return Delivery(
        id=row.id,
        license_id=row.license_id,
        recipient=row.recipient,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        lease_until=row.lease_until,
        worker_id=row.worker_id,
        last_error=row.last_error,
        provider_message_id=row.provider_message_id,
        sent_at=row.sent_at,
    )


def delivery_to_row(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "license_id": d.license_id,
        "recipient": d.recipient,
        "status": d.status.value,
        "attempts": d.attempts,
        "created_at": d.created_at,
        "next_attempt_at": d.next_attempt_at,
        "lease_until": d.lease_until,
        "worker_id": d.worker_id,
        "last_error": d.last_error,
        "provider_message_id": d.provider_message_id,
        "sent_at": d.sent_at,
    }


def attempt_from_row(row: Any) -> DeliveryAttempt:
    return DeliveryAttempt(
        delivery_id=row.delivery_id,
        at=row.at,
        outcome=row.outcome,
        worker_id=row.worker_id,
        provider_message_id=row.provider_message_id,
        error=row.error,
    )


def attempt_to_row(a: DeliveryAttempt) -> dict[str, Any]:
    return {
        "delivery_id": a.delivery_id,
        "at": a.at,
        "outcome": a.outcome,
        "worker_id": a.worker_id,
        "provider_message_id": a.provider_message_id,
        "error": a.error,
    }
