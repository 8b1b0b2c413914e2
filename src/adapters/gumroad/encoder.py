"""Writes a sale-shaped notice as a Gumroad ping body, so that events reconciliation finds
are stored and processed exactly as pings are (GumroadParser reads them back)."""

from __future__ import annotations

from urllib.parse import urlencode

from core.domain.notices import NoticeKind, SaleNotice

FORM = "application/x-www-form-urlencoded"


def _flag(value: bool) -> str:
    return "true" if value else "false"


class GumroadNoticeEncoder:
    source = "gumroad"

    def encode(self, notice: SaleNotice) -> tuple[bytes, str]:
        if notice.kind is NoticeKind.TEST_PING:
            raise ValueError("a test ping is never written by licensemint")
        pairs: list[tuple[str, str]] = [
            ("product_id", notice.product_id),
            ("product_name", notice.product_name),
            ("email", notice.email),
            ("quantity", str(notice.quantity)),
            ("sale_id", notice.sale_id),
        ]
        optional = {
            "full_name": notice.full_name,
            "price": None if notice.price_cents is None else str(notice.price_cents),
            "currency": notice.currency,
            "order_number": notice.order_number,
            "sale_timestamp": notice.sale_timestamp.strftime("%Y-%m-%dT%H:%M:%SZ") if notice.sale_timestamp else None,
            "subscription_id": notice.subscription_id,
            "offer_code": notice.offer_code,
            "gifter_email": notice.gifter_email,
            "gift_price": None if notice.gift_price_cents is None else str(notice.gift_price_cents),
        }
        pairs += [(k, v) for k, v in optional.items() if v is not None]
        pairs += [(f"variants[{k}]", v) for k, v in notice.variants.items()]
        pairs += [(f"custom_fields[{k}]", v) for k, v in notice.custom_fields.items()]
        for name, value in (("test", notice.test), ("is_recurring_charge", notice.is_recurring_charge),
                            ("is_preorder_authorization", notice.is_preorder_authorization)):
            if value:  # Gumroad sends these only when true
                pairs.append((name, "true"))
        pairs += [
            ("is_gift_receiver_purchase", _flag(notice.is_gift_receiver_purchase)),
            ("refunded", _flag(notice.refunded)),
            ("resource_name", notice.kind.value),
            ("disputed", _flag(notice.disputed)),
            ("dispute_won", _flag(notice.dispute_won)),
        ]
        return urlencode(pairs).encode("ascii"), FORM
