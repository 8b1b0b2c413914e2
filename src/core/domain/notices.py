"""What a payment platform told us, after its parser has read the raw body.

Parsers turn bytes into one of these; use cases act on them. Money is in cents.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class NoticeKind(str, enum.Enum):
    SALE = "sale"
    REFUND = "refund"
    DISPUTE = "dispute"
    DISPUTE_WON = "dispute_won"
    CANCELLATION = "cancellation"
    SUBSCRIPTION_UPDATED = "subscription_updated"
    SUBSCRIPTION_ENDED = "subscription_ended"
    SUBSCRIPTION_RESTARTED = "subscription_restarted"
    TEST_PING = "test_ping"


@dataclass(frozen=True, slots=True, kw_only=True)
class SaleNotice:
    """A sale-shaped payload: a sale, refund, dispute, dispute won, or the test-ping button."""

    kind: NoticeKind
    sale_id: str
    product_id: str
    product_name: str
    email: str
    full_name: str | None
    price_cents: int | None
    currency: str | None
    quantity: int
    variants: dict[str, str] = field(default_factory=dict)
    custom_fields: dict[str, str] = field(default_factory=dict)
    offer_code: str | None = None
    order_number: str | None = None
    sale_timestamp: datetime | None = None
    subscription_id: str | None = None
    recurrence: str | None = None
    test: bool = False
    is_recurring_charge: bool = False
    is_preorder_authorization: bool = False
    is_gift_receiver_purchase: bool = False
    gifter_email: str | None = None
    gift_price_cents: int | None = None
    refunded: bool = False
    disputed: bool = False
    dispute_won: bool = False
    retry_count: int = 0

    @property
    def licensee(self) -> str | None:
        """The name on the license: the buyer's, or derived from the email when none was
        sent. None for a gift: its ping carries the gifter's name, never the receiver's."""
        if self.is_gift_receiver_purchase:
            return None
        if self.full_name and self.full_name.strip():
            return self.full_name.strip()
        return self.email.split("@", 1)[0]

    @property
    def thread(self) -> str:
        """What its events are gathered by: the subscription of a membership charge, else the sale."""
        return self.subscription_id or self.sale_id


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionNotice:
    """A subscription-shaped payload: cancellation, updated, ended, restarted."""

    kind: NoticeKind
    subscription_id: str
    product_id: str
    product_name: str | None
    user_email: str | None
    purchase_ids: tuple[str, ...] = ()
    occurred_at: datetime | None = None
    detail: dict[str, str] = field(default_factory=dict)
    new_tier: str | None = None
    old_tier: str | None = None

    @property
    def thread(self) -> str:
        return self.subscription_id


Notice = SaleNotice | SubscriptionNotice
