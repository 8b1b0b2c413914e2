"""Domain records as JSON for the HTTP API. Emails appear only in the admin API."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from core.domain.model import Delivery, DeliveryAttempt, Event, HistoryEntry, License
from core.usecases.browse import LicenseDetail
from core.usecases.reconcile import Finding, ReconcileSummary


def ts(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def license_json(lic: License) -> dict[str, Any]:
    return {
        "id": lic.id, "source": lic.source, "order_id": lic.order_id, "product": lic.product,
        "tier": lic.tier, "seats": lic.seats, "quantity": lic.quantity, "price_cents": lic.price_cents,
        "currency": lic.currency, "email": lic.email, "licensee": lic.licensee, "gifted_by": lic.gifted_by,
        "test": lic.test, "status": lic.status.value, "status_reason": lic.status_reason,
        "key": lic.key, "kid": lic.kid, "key_generation": lic.key_generation,
        "issued_at": ts(lic.issued_at), "expires_at": ts(lic.expires_at),
        "subscription_id": lic.subscription_id, "created_at": ts(lic.created_at), "updated_at": ts(lic.updated_at),
    }


def history_json(h: HistoryEntry) -> dict[str, Any]:
    return {
        "at": ts(h.at), "from": h.from_status.value if h.from_status else None, "to": h.to_status.value,
        "reason": h.reason, "actor_type": h.actor_type.value, "actor_id": h.actor_id,
    }


def attempt_json(a: DeliveryAttempt) -> dict[str, Any]:
    return {"at": ts(a.at), "outcome": a.outcome, "worker_id": a.worker_id,
            "provider_message_id": a.provider_message_id, "error": a.error}


def delivery_json(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.id, "license_id": d.license_id, "recipient": d.recipient, "status": d.status.value,
        "key_generation": d.key_generation,
        "attempts": d.attempts, "created_at": ts(d.created_at), "next_attempt_at": ts(d.next_attempt_at),
        "last_error": d.last_error, "provider_message_id": d.provider_message_id, "sent_at": ts(d.sent_at),
    }


def license_detail_json(detail: LicenseDetail) -> dict[str, Any]:
    return {
        **license_json(detail.license),
        "history": [history_json(h) for h in detail.history],
        "deliveries": [
            {**delivery_json(d.delivery), "attempt_log": [attempt_json(a) for a in d.attempts]}
            for d in detail.deliveries
        ],
    }


def event_json(e: Event, *, with_body: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": e.id, "source": e.source, "kind": e.kind.value if e.kind else None, "external_id": e.external_id,
        "status": e.status.value, "outcome": e.outcome,
        "outcome_code": e.outcome_code.value if e.outcome_code else None, "attempts": e.attempts,
        "received_at": ts(e.received_at), "processed_at": ts(e.processed_at), "content_type": e.content_type,
        "origin": e.origin.value,
    }
    if with_body:
        try:
            text = e.body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        body["body"] = text
        body["body_base64"] = base64.b64encode(e.body).decode("ascii")
    return body


def reconcile_json(s: ReconcileSummary) -> dict[str, Any]:
    def finding(f: Finding) -> dict[str, Any]:
        return {"sale_id": f.sale_id, "kind": f.kind, "event_id": f.event_id, "outcome": f.outcome}

    return {
        "complete": s.complete, "error": s.error, "dry_run": s.dry_run, "after": s.after.isoformat(),
        "resumed": s.resumed, "pages_read": s.pages_read, "sales_seen": s.sales_seen,
        "recovered": [finding(f) for f in s.recovered], "lifecycle": [finding(f) for f in s.lifecycle],
        "failures": [{"event_id": i, "reason": r} for i, r in s.failures],
    }
