"""GumroadNoticeEncoder writes what GumroadParser reads back: reconciliation's events take
the ping's path unchanged."""

from datetime import UTC, datetime

import pytest

from adapters.gumroad.encoder import GumroadNoticeEncoder
from adapters.gumroad.parser import GumroadParser
from core.domain.notices import NoticeKind, SaleNotice


@pytest.mark.parametrize("kind", [NoticeKind.SALE, NoticeKind.REFUND, NoticeKind.DISPUTE, NoticeKind.DISPUTE_WON])
def test_a_notice_survives_the_round_trip(kind):
    notice = SaleNotice(
        kind=kind, sale_id="Jx7bR2Qe0m3VtK9sLw1ZpA==", product_id="32-nPAicqbLj8B_WswVlMw==",
        product_name="Film & Presets = 100%", email="zoë+tag@example.com", full_name="Zoë Ünïcode",
        price_cents=0, currency="usd", quantity=3, variants={"Tier": "Pro & More"},
        order_number="804213377", sale_timestamp=datetime(2025, 6, 12, 16, 41, 7, tzinfo=UTC),
        subscription_id="r2V0Wc9dOZ3gqkS6n-8d4A==", is_recurring_charge=True,
        is_gift_receiver_purchase=True, gifter_email="giver@example.com", gift_price_cents=2900,
        refunded=kind is NoticeKind.REFUND, disputed=kind in (NoticeKind.DISPUTE, NoticeKind.DISPUTE_WON),
        dispute_won=kind is NoticeKind.DISPUTE_WON,
    )
    body, content_type = GumroadNoticeEncoder().encode(notice)
    assert GumroadParser().parse(body, content_type) == notice


def test_a_test_ping_is_never_written():
    notice = SaleNotice(kind=NoticeKind.TEST_PING, sale_id="x", product_id="p", product_name="", email="a@b.c",
                        full_name=None, price_cents=1, currency=None, quantity=1)
    with pytest.raises(ValueError):
        GumroadNoticeEncoder().encode(notice)
