"""The cases of issue 10 posted through HTTP, on SQLite and PostgreSQL: late copies and
replays give the in-order state, a renewal processed before its failed first charge gives
one license, a refunded renewal revokes, an unmapped plan change fails until the catalog
maps it, a gifted key names no gifter, and a tier's seats multiply the quantity."""

import re

import pytest

from adapters.signing.verifier import verify
from tests.bodies import (
    dispute_body, dispute_won_body, membership_refund_body, membership_sale_body, renewal_body, sale_body,
    subscription_body,
)
from tests.unit.catalogs import SAMPLE, WITH_GOLD

KEY = re.compile(r"LIC1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


@pytest.fixture
def products(tmp_path):
    path = tmp_path / "products.yaml"
    path.write_text(SAMPLE)
    return path


async def post_all(service, *bodies):
    for body in bodies:
        assert (await service.post_sale(body)).status == 200


async def test_late_copies_of_a_dispute_and_an_end_change_nothing(service):
    await post_all(service, sale_body(), dispute_body(), dispute_won_body(), dispute_body())
    await post_all(service, membership_sale_body(), subscription_body("subscription_ended"),
                   subscription_body("subscription_restarted"), subscription_body("subscription_ended"))
    assert sorted(lic.status for lic in await service.licenses()) == ["active", "active"]
    await service.wait_for_emails(2)


async def test_a_renewal_before_its_failed_first_charge_gives_one_license(start_service, database_url, products):
    service = await start_service(database_url, PRODUCTS_FILE=str(products))
    await post_all(service, membership_sale_body(**{"variants[Tier]": "Gold"}))
    [failed] = await service.events()
    assert (failed.status, failed.outcome_code) == ("failed", "unmapped_product")
    products.write_text(WITH_GOLD)  # the seller maps the tier and restarts
    service = await start_service(database_url, PRODUCTS_FILE=str(products))
    await post_all(service, renewal_body(**{"variants[Tier]": "Gold"}))
    status, summary = await service.call("POST", "/admin/events/replay-failed")
    assert status == 200 and summary["processed"] == 1
    [lic] = await service.licenses()
    assert (lic.tier, lic.seats) == ("gold", 5)
    await post_all(service, subscription_body("subscription_ended"))
    [lic] = await service.licenses()
    assert lic.status == "revoked"
    assert len(await service.wait_for_emails(1)) == 1


async def test_a_refund_of_a_renewal_revokes_the_membership(service):
    await post_all(service, membership_sale_body(), renewal_body(), membership_refund_body("u1Lw9dP7c3Xe0FqJm4ZtYQ=="))
    [lic] = await service.licenses()
    assert (lic.status, lic.status_reason) == ("revoked", "refund")
    assert (await service.events())[-1].outcome_code == "changed"


async def test_an_unmapped_plan_change_fails_then_rekeys_once_mapped(start_service, database_url, products):
    service = await start_service(database_url, PRODUCTS_FILE=str(products))
    await post_all(service, membership_sale_body())
    await service.wait_for_emails(1)
    await post_all(service, subscription_body("subscription_updated", **{"new_plan[tier][name]": "Gold"}))
    update = (await service.events())[-1]
    assert (update.status, update.outcome_code) == ("failed", "unmapped_tier") and "'Gold'" in update.outcome
    products.write_text(WITH_GOLD)
    service = await start_service(database_url, PRODUCTS_FILE=str(products))
    status, event = await service.call("POST", f"/admin/events/{update.id}/replay")
    assert status == 200 and event["status"] == "processed"
    [lic] = await service.licenses()
    assert (lic.tier, lic.seats, lic.key_generation) == ("gold", 5, 2)
    emails = await service.wait_for_emails(2)
    assert lic.key in {k for eml in emails for k in KEY.findall(eml.read_text())}


async def test_a_gifted_key_names_no_gifter_and_the_email_says_who_gave_it(service):
    await post_all(service, sale_body(is_gift_receiver_purchase="true", email="friend@example.com",
                                      gifter_email="giver@example.com", price="0", full_name="Gene Giver"))
    [lic] = await service.licenses()
    assert (lic.licensee, lic.gifted_by) == (None, "giver@example.com")
    published = [k.public_key for k in service.container.signer().published]
    assert "name" not in verify(lic.key, published).claims
    [eml] = await service.wait_for_emails(1)
    text = eml.read_text()
    assert "Gene Giver" not in text and "a gift from giver@example.com" in text


async def test_the_admin_api_shows_what_was_paid(service):
    await post_all(service, sale_body(quantity="3", price="8700"))
    [row] = await service.licenses()
    status, lic = await service.call("GET", f"/admin/licenses/{row.id}")
    assert status == 200
    assert (lic["quantity"], lic["seats"], lic["price_cents"], lic["currency"]) == (3, 3, 8700, "usd")
    assert "quantity 3, price_cents 8700, currency usd" in lic["history"][0]["reason"]
