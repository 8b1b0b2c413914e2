"""What a platform's sales API says about a sale, and how far reconciliation has read it.

A `ListedSale` is the platform's own record of a sale, read back from its API (not from a
webhook): the truth that pings are checked against. Money is in cents (USD for Gumroad).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ListedSale:
    id: str
    """The sale's id: the webhook's `sale_id`."""
    product_id: str
    product_name: str
    purchase_email: str
    """The address the sale was made with: the webhook's `email`."""
    full_name: str | None
    price_cents: int
    quantity: int
    created_at: datetime
    order_number: str | None = None
    currency: str | None = None
    subscription_id: str | None = None
    recurring_charge: bool = False
    variants: dict[str, str] = field(default_factory=dict)
    refunded: bool = False
    partially_refunded: bool = False
    chargedback: bool = False
    disputed: bool = False
    dispute_won: bool = False
    is_gift_sender_purchase: bool = False
    is_gift_receiver_purchase: bool = False
    giftee_email: str | None = None
    gifter_email: str | None = None

    @property
    def in_dispute(self) -> bool:
        """Disputed or charged back (a lost dispute)."""
        return self.disputed or self.chargedback


@dataclass(frozen=True, slots=True, kw_only=True)
class SalesPage:
    sales: tuple[ListedSale, ...]
    next_page_key: str | None
    """None on the last page."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconcilePoint:
    """How far reconciliation has read a source's sales list.

    `reconciled_to`: every sale created before it was seen by a completed run (the start
    of that run). `run_after`, `page_key`, `run_started_at`: a run in progress, or one that
    stopped midway, and the cursor of the first page it has not finished."""

    source: str
    updated_at: datetime
    reconciled_to: datetime | None = None
    run_after: date | None = None
    run_started_at: datetime | None = None
    page_key: str | None = None
