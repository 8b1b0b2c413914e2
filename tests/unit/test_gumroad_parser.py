from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from adapters.gumroad.parser import GumroadParser
from core.domain.errors import MalformedEvent
from core.domain.notices import NoticeKind, SaleNotice, SubscriptionNotice
from tests.bodies import sale_body, subscription_body
from tests.conftest import GUMROAD, gumroad_body

FORM = "application/x-www-form-urlencoded"
parse = GumroadParser().parse


EXPECTED_KINDS = {
    "01_sale_licensed_basic": NoticeKind.SALE,
    "04_sale_test_purchase": NoticeKind.SALE,
    "05_settings_send_test_ping": NoticeKind.TEST_PING,
    "06_sale_recurring_membership_charge": NoticeKind.SALE,
    "07_refund_full": NoticeKind.REFUND,
    "09_dispute": NoticeKind.DISPUTE,
    "16_cancellation_by_buyer": NoticeKind.CANCELLATION,
}


def test_every_sample_body_is_covered_by_an_expectation():
    assert {p.stem for p in GUMROAD.glob("*.txt")} == set(EXPECTED_KINDS)


@pytest.mark.parametrize("name", sorted(EXPECTED_KINDS))
def test_each_sample_body_parses_to_its_kind(name):
    notice = parse(gumroad_body(name), FORM)
    assert notice.kind is EXPECTED_KINDS[name]


def test_basic_sale_fields_are_read_with_their_types():
    sale = parse(gumroad_body("01_sale_licensed_basic"), FORM)
    assert isinstance(sale, SaleNotice)
    assert sale.sale_id == "FO8TXN-dbxYaBdahG97Y-Q=="
    assert sale.product_id == "32-nPAicqbLj8B_WswVlMw=="
    assert sale.product_name == "AcmeSoft Pro (Desktop License)"
    assert sale.email == "jane.doe@example.com"
    assert sale.full_name == "Jane Doe"
    assert sale.price_cents == 2900
    assert sale.currency == "usd"
    assert sale.quantity == 1
    assert sale.order_number == "524459935"
    assert sale.sale_timestamp == datetime(2025, 3, 14, 16, 2, 11, tzinfo=UTC)
    assert sale.test is False and sale.refunded is False and sale.disputed is False
    assert sale.is_recurring_charge is False and sale.is_gift_receiver_purchase is False
    assert sale.variants == {} and sale.offer_code is None and sale.retry_count == 0


def test_test_purchase_is_a_sale_tagged_test():
    sale = parse(gumroad_body("04_sale_test_purchase"), FORM)
    assert sale.kind is NoticeKind.SALE and sale.test is True
    assert sale.email == "seller@acmesoft.example"


def test_send_test_ping_has_no_resource_name_and_is_told_apart():
    ping = parse(gumroad_body("05_settings_send_test_ping"), FORM)
    assert ping.kind is NoticeKind.TEST_PING and ping.test is True
    assert ping.sale_id == "FO8TXN-dbxYaBdahG97Y-Q=="


def test_recurring_charge_carries_variant_and_subscription():
    sale = parse(gumroad_body("06_sale_recurring_membership_charge"), FORM)
    assert sale.is_recurring_charge is True
    assert sale.subscription_id == "GDzW4_aBdQc-o7Gbjng7lw=="
    assert sale.variants == {"Tier": "Pro"}


def test_refund_and_dispute_keep_the_sale_id_and_flags():
    refund = parse(gumroad_body("07_refund_full"), FORM)
    assert refund.sale_id == "FO8TXN-dbxYaBdahG97Y-Q==" and refund.refunded is True
    dispute = parse(gumroad_body("09_dispute"), FORM)
    assert dispute.disputed is True and dispute.dispute_won is False
    assert dispute.offer_code == "SPRING25" and dispute.price_cents == 2175


def test_cancellation_reads_subscription_fields_and_purchase_ids():
    notice = parse(gumroad_body("16_cancellation_by_buyer"), FORM)
    assert isinstance(notice, SubscriptionNotice)
    assert notice.subscription_id == "GDzW4_aBdQc-o7Gbjng7lw=="
    assert notice.purchase_ids == ("O4pjE6H8XNjy2JSCgKhbAw==", "u1Lw9dP7c3Xe0FqJm4ZtYQ==")
    assert notice.user_email == "ops@bigcorp.example"
    assert notice.occurred_at == datetime(2025, 7, 1, 8, 59, 58, tzinfo=UTC)
    assert notice.detail["cancelled_by_buyer"] == "true"


@pytest.mark.parametrize(
    "resource", ["subscription_updated", "subscription_ended", "subscription_restarted", "dispute_won"]
)
def test_the_other_kinds_are_told_apart_by_resource_name(resource):
    if resource == "dispute_won":
        body = sale_body(resource_name="dispute_won", disputed="true", dispute_won="true")
    else:
        body = urlencode(
            {"subscription_id": "S==", "product_id": "P==", "resource_name": resource,
             "new_plan[tier][name]": "Pro", "old_plan[tier][name]": "Basic"}
        ).encode()
    notice = parse(body, FORM)
    assert notice.kind.value == resource
    if resource == "subscription_updated":
        assert (notice.old_tier, notice.new_tier) == ("Basic", "Pro")


def test_bracket_keys_variants_and_custom_fields_are_grouped():
    body = sale_body(**{
        "variants[Tier]": "Pro", "variants[Platform]": "macOS",
        "custom_fields[Company]": "Acme & Co", "Company": "flat copy", "url_params[utm_source]": "x",
    })
    sale = parse(body, FORM)
    assert sale.variants == {"Tier": "Pro", "Platform": "macOS"}
    assert sale.custom_fields == {"Company": "Acme & Co"}


def test_quantity_and_gift_fields_are_read_and_a_gift_names_no_licensee():
    sale = parse(
        sale_body(quantity="5", is_gift_receiver_purchase="true", gifter_email="g@example.com",
                  price="0", retry_count="2", is_preorder_authorization="true"),
        FORM,
    )
    assert sale.quantity == 5 and sale.is_gift_receiver_purchase and sale.gifter_email == "g@example.com"
    assert sale.licensee is None
    assert sale.retry_count == 2 and sale.is_preorder_authorization and sale.price_cents == 0


def test_missing_full_name_falls_back_to_the_email_name():
    sale = parse(sale_body(full_name=None), FORM)
    assert sale.full_name is None and sale.licensee == "jane.doe"


@pytest.mark.parametrize("field", ["sale_id", "product_id", "email"])
def test_a_missing_required_field_is_named(field):
    with pytest.raises(MalformedEvent, match=field):
        parse(sale_body(**{field: None}), FORM)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"quantity": "two"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"price": "29.00"}, "price"),
        ({"refunded": "yes"}, "refunded"),
        ({"email": "not-an-address"}, "email"),
        ({"sale_timestamp": "yesterday"}, "sale_timestamp"),
        ({"resource_name": "payout"}, "resource_name"),
        ({"resource_name": None}, "resource_name"),
    ],
)
def test_wrong_values_are_rejected_naming_the_field(changes, named):
    with pytest.raises(MalformedEvent, match=named):
        parse(sale_body(**changes), FORM)


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"", FORM, "empty"),
        (b"\xff\xfe garbage", FORM, "UTF-8"),
        (b"just some text", FORM, "urlencoded"),
        (b'{"sale_id": "x"}', "application/json", "content type"),
    ],
)
def test_bodies_that_are_not_gumroad_forms_are_malformed(body, content_type, reason):
    with pytest.raises(MalformedEvent, match=reason):
        parse(body, content_type)


def test_a_subscription_event_without_subscription_id_is_named():
    body = urlencode({"product_id": "P==", "resource_name": "subscription_ended"}).encode()
    with pytest.raises(MalformedEvent, match="subscription_id"):
        parse(body, FORM)
