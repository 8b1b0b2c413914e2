"""Reads Gumroad's webhook bodies (see docs/gumroad.md in the shared design notes).

Bodies are application/x-www-form-urlencoded with bracket keys for nested values. Every
kind carries `resource_name` except the Settings "Send test ping" button, which re-sends
the latest real sale with `test=true` appended and no `resource_name`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl

from core.domain.errors import MalformedEvent
from core.domain.notices import NoticeKind, SaleNotice, SubscriptionNotice

_SALE_KINDS = {
    "sale": NoticeKind.SALE,
    "refund": NoticeKind.REFUND,
    "dispute": NoticeKind.DISPUTE,
    "dispute_won": NoticeKind.DISPUTE_WON,
}
_SUBSCRIPTION_KINDS = {
    "cancellation": NoticeKind.CANCELLATION,
    "subscription_updated": NoticeKind.SUBSCRIPTION_UPDATED,
    "subscription_ended": NoticeKind.SUBSCRIPTION_ENDED,
    "subscription_restarted": NoticeKind.SUBSCRIPTION_RESTARTED,
}
_OCCURRED_AT = {
    NoticeKind.CANCELLATION: "cancelled_at",
    NoticeKind.SUBSCRIPTION_ENDED: "ended_at",
    NoticeKind.SUBSCRIPTION_RESTARTED: "restarted_at",
    NoticeKind.SUBSCRIPTION_UPDATED: "effective_as_of",
}
_SUBSCRIPTION_DETAIL = (
    "cancelled", "cancelled_at", "cancelled_by_buyer", "cancelled_by_seller",
    "cancelled_by_admin", "cancelled_due_to_payment_failures", "ended_at", "ended_reason",
    "restarted_at", "type", "effective_as_of", "recurrence", "free_trial_ends_at",
)


class Form:
    """A urlencoded body: flat keys, bracketed groups (`variants[Tier]`) and lists
    (`purchase_ids[]`)."""

    def __init__(self, body: bytes) -> None:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedEvent(f"body is not UTF-8 (byte {exc.start})") from exc
        try:
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedEvent(f"body is not a urlencoded form: {exc}") from exc
        self.flat: dict[str, str] = {}
        self.lists: dict[str, list[str]] = {}
        for key, value in pairs:
            if key.endswith("[]"):
                self.lists.setdefault(key[:-2], []).append(value)
            else:
                self.flat[key] = value

    def group(self, name: str) -> dict[str, str]:
        prefix = name + "["
        return {
            key[len(prefix):-1]: value
            for key, value in self.flat.items()
            if key.startswith(prefix) and key.endswith("]")
        }

    def get(self, key: str) -> str | None:
        value = self.flat.get(key)
        return value if value not in (None, "") else None

    def required(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise MalformedEvent(f"missing required field {key!r}")
        return value

    def boolean(self, key: str) -> bool:
        value = self.flat.get(key)
        if value in (None, "", "false"):
            return False
        if value == "true":
            return True
        raise MalformedEvent(f"field {key!r} must be 'true' or 'false', not {value!r}")

    def integer(self, key: str) -> int | None:
        value = self.get(key)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise MalformedEvent(f"field {key!r} must be a whole number, not {value!r}") from None

    def timestamp(self, key: str) -> datetime | None:
        value = self.get(key)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise MalformedEvent(f"field {key!r} is not a timestamp: {value!r}") from None
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class GumroadParser:
    source = "gumroad"

    def parse(self, body: bytes, content_type: str) -> SaleNotice | SubscriptionNotice:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type not in ("application/x-www-form-urlencoded", ""):
            raise MalformedEvent(
                f"content type {media_type!r} is not application/x-www-form-urlencoded"
            )
        form = Form(body)
        if not form.flat and not form.lists:
            raise MalformedEvent("empty body")
        resource = form.get("resource_name")
        if resource is None:
            if form.boolean("test"):
                return self._sale(form, NoticeKind.TEST_PING)
            raise MalformedEvent(
                "missing required field 'resource_name' (and not a test ping: no test=true)"
            )
        if resource in _SALE_KINDS:
            return self._sale(form, _SALE_KINDS[resource])
        if resource in _SUBSCRIPTION_KINDS:
            return self._subscription(form, _SUBSCRIPTION_KINDS[resource])
        raise MalformedEvent(f"field 'resource_name' has an unknown value {resource!r}")

    def _sale(self, form: Form, kind: NoticeKind) -> SaleNotice:
        email = form.required("email").strip()
        if "@" not in email:
            raise MalformedEvent(f"field 'email' is not an email address: {email!r}")
        given = form.integer("quantity")
        quantity = 1 if given is None else given
        if quantity < 1:
            raise MalformedEvent(f"field 'quantity' must be at least 1, not {quantity}")
        return SaleNotice(
            kind=kind,
            sale_id=form.required("sale_id"),
            product_id=form.required("product_id"),
            product_name=form.get("product_name") or "",
            email=email,
            full_name=form.get("full_name"),
            price_cents=form.integer("price"),
            currency=form.get("currency"),
            quantity=quantity,
            variants=form.group("variants"),
            custom_fields=form.group("custom_fields"),
            offer_code=form.get("offer_code"),
            order_number=form.get("order_number"),
            sale_timestamp=form.timestamp("sale_timestamp"),
            subscription_id=form.get("subscription_id"),
            recurrence=form.get("recurrence"),
            test=form.boolean("test"),
            is_recurring_charge=form.boolean("is_recurring_charge"),
            is_preorder_authorization=form.boolean("is_preorder_authorization"),
            is_gift_receiver_purchase=form.boolean("is_gift_receiver_purchase"),
            gifter_email=form.get("gifter_email"),
            gift_price_cents=form.integer("gift_price"),
            refunded=form.boolean("refunded"),
            disputed=form.boolean("disputed"),
            dispute_won=form.boolean("dispute_won"),
            retry_count=form.integer("retry_count") or 0,
        )

    def _subscription(self, form: Form, kind: NoticeKind) -> SubscriptionNotice:
        field = _OCCURRED_AT.get(kind)
        return SubscriptionNotice(
            kind=kind,
            subscription_id=form.required("subscription_id"),
            product_id=form.required("product_id"),
            product_name=form.get("product_name"),
            user_email=form.get("user_email"),
            purchase_ids=tuple(v for v in form.lists.get("purchase_ids", []) if v),
            occurred_at=form.timestamp(field) if field else None,
            detail={k: form.flat[k] for k in _SUBSCRIPTION_DETAIL if form.get(k) is not None},
            new_tier=form.get("new_plan[tier][name]"),
            old_tier=form.get("old_plan[tier][name]"),
        )
