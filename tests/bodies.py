"""Gumroad bodies derived from the samples in tests/fixtures/gumroad, for the kinds and
variations the samples do not cover (shapes from the design notes on Gumroad's code)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from tests.conftest import gumroad_body


def _edit(name: str, changes: dict[str, str | None]) -> bytes:
    pairs = parse_qsl(gumroad_body(name).decode(), keep_blank_values=True)
    result, seen = [], set()
    for key, value in pairs:
        if key in changes:
            if key in seen or changes[key] is None:
                continue
            seen.add(key)
            value = changes[key]
        result.append((key, value))
    result += [(k, v) for k, v in changes.items() if k not in seen and v is not None and k not in dict(pairs)]
    return urlencode(result).encode()


def sale_body(**changes: str | None) -> bytes:
    """The basic sample sale (acmesoft-pro, sale FO8TXN-dbxYaBdahG97Y-Q==), changed."""
    return _edit("01_sale_licensed_basic", changes)


def refund_body(refunded: bool = True, **changes: str | None) -> bytes:
    return _edit("07_refund_full", {"refunded": "true" if refunded else "false", **changes})


def dispute_body(**changes: str | None) -> bytes:
    return sale_body(resource_name="dispute", disputed="true", **changes)


def dispute_won_body(**changes: str | None) -> bytes:
    return sale_body(resource_name="dispute_won", disputed="true", dispute_won="true", **changes)


FIRST_MEMBERSHIP_SALE = "O4pjE6H8XNjy2JSCgKhbAw=="  # the first of the sample's purchase_ids[]


def membership_sale_body(**changes: str | None) -> bytes:
    """The first charge of the AcmeSoft Cloud membership (tier Pro); the sample
    06_sale_recurring_membership_charge is its renewal."""
    return _edit("06_sale_recurring_membership_charge", {
        "is_recurring_charge": None, "sale_id": FIRST_MEMBERSHIP_SALE,
        "sale_timestamp": "2025-05-01T08:59:58Z", **changes})


def renewal_body(sale_id: str = "u1Lw9dP7c3Xe0FqJm4ZtYQ==", **changes: str | None) -> bytes:
    return _edit("06_sale_recurring_membership_charge", {"sale_id": sale_id, **changes})


def membership_refund_body(sale_id: str, **changes: str | None) -> bytes:
    """A full refund of one charge of the membership (the first one or a renewal)."""
    return _edit("06_sale_recurring_membership_charge", {
        "resource_name": "refund", "refunded": "true", "sale_id": sale_id, **changes})


def with_ids(body: bytes, renames: dict[str, str]) -> bytes:
    """The body with every value in `renames` (sale ids, subscription ids) replaced."""
    pairs = parse_qsl(body.decode(), keep_blank_values=True)
    return urlencode([(k, renames.get(v, v)) for k, v in pairs]).encode()


def subscription_body(resource: str, **changes: str | None) -> bytes:
    """A subscription event for the membership, from the cancellation sample."""
    base = {"resource_name": resource, "cancelled": None, "cancelled_at": None, "cancelled_by_buyer": None}
    if resource == "cancellation":
        base = {}
    extra = {
        "subscription_ended": {"ended_at": "2025-07-01T08:59:58Z", "ended_reason": "cancelled"},
        "subscription_restarted": {"restarted_at": "2025-07-03T10:00:00Z"},
        "subscription_updated": {
            "type": "downgrade", "effective_as_of": "2025-07-01T08:59:58Z",
            "old_plan[tier][id]": "t-pro", "old_plan[tier][name]": "Pro", "old_plan[recurrence]": "monthly",
            "old_plan[price_cents]": "1200", "old_plan[quantity]": "1",
            "new_plan[tier][id]": "t-basic", "new_plan[tier][name]": "Basic", "new_plan[recurrence]": "monthly",
            "new_plan[price_cents]": "600", "new_plan[quantity]": "1",
        },
    }.get(resource, {})
    return _edit("16_cancellation_by_buyer", {**base, **extra, **changes})
