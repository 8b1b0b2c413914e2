"""One request-level test per Gumroad event kind: what each does to the license."""

import pytest

from tests.bodies import (
    dispute_body, dispute_won_body, membership_sale_body, refund_body, renewal_body, sale_body,
    subscription_body,
)
from tests.conftest import gumroad_body


async def post_all(service, *bodies):
    for body in bodies:
        assert (await service.post_sale(body)).status == 200


async def state(service):
    licenses = await service.licenses()
    return [(lic.status, lic.tier) for lic in licenses], [e.outcome for e in await service.events()]


async def test_sale_mints_an_active_license(service):
    await post_all(service, sale_body())
    assert (await state(service))[0] == [("active", "desktop")]


async def test_refund_revokes(service):
    await post_all(service, sale_body(), gumroad_body("07_refund_full"))
    [lic] = await service.licenses()
    assert (lic.status, lic.status_reason) == ("revoked", "refund")


async def test_partial_refund_changes_nothing(service):
    await post_all(service, sale_body(), refund_body(refunded=False))
    assert (await state(service))[0] == [("active", "desktop")]


async def test_dispute_suspends(service):
    await post_all(service, gumroad_body("09_dispute").replace(b"resource_name=dispute", b"resource_name=sale"),
                   gumroad_body("09_dispute"))
    [lic] = await service.licenses()
    assert (lic.status, lic.status_reason) == ("suspended", "dispute")


async def test_dispute_won_reinstates(service):
    await post_all(service, sale_body(), dispute_body(), dispute_won_body())
    assert (await state(service))[0] == [("active", "desktop")]


async def test_refund_before_its_sale_wins(service):
    await post_all(service, gumroad_body("07_refund_full"), gumroad_body("01_sale_licensed_basic"))
    [lic] = await service.licenses()
    assert lic.status == "revoked" and await service.deliveries() == []


async def test_recurring_charge_is_recorded_against_the_license(service):
    await post_all(service, membership_sale_body(), gumroad_body("06_sale_recurring_membership_charge"))
    licenses, outcomes = await state(service)
    assert licenses == [("active", "pro")] and outcomes[1].startswith("renewal recorded against lic_")
    assert len(await service.deliveries()) == 1


async def test_cancellation_is_recorded_and_access_continues(service):
    await post_all(service, membership_sale_body(), gumroad_body("16_cancellation_by_buyer"))
    licenses, outcomes = await state(service)
    assert licenses == [("active", "pro")] and "access continues" in outcomes[1]


async def test_subscription_ended_revokes(service):
    await post_all(service, membership_sale_body(), subscription_body("subscription_ended"))
    [lic] = await service.licenses()
    assert (lic.status, lic.status_reason) == ("revoked", "subscription ended")


async def test_subscription_restarted_reinstates(service):
    await post_all(service, membership_sale_body(), subscription_body("subscription_ended"),
                   subscription_body("subscription_restarted"))
    assert (await state(service))[0] == [("active", "pro")]


async def test_subscription_updated_rekeys_for_the_new_tier_and_emails_it(service):
    await post_all(service, membership_sale_body())
    [before] = await service.licenses()
    await post_all(service, subscription_body("subscription_updated"))
    [after] = await service.licenses()
    assert (after.id, after.tier) == (before.id, "basic") and after.key != before.key
    await service.wait_for_emails(2)


async def test_test_ping_changes_nothing(service):
    await post_all(service, sale_body(), gumroad_body("05_settings_send_test_ping"))
    assert (await state(service))[0] == [("active", "desktop")] and len(await service.deliveries()) == 1


@pytest.mark.parametrize("body", [refund_body(), dispute_body(), subscription_body("subscription_ended")],
                         ids=["refund", "dispute", "subscription_ended"])
async def test_every_event_is_idempotent_under_duplicate_delivery(service, body):
    first = membership_sale_body() if b"subscription" in body else sale_body()
    await post_all(service, first, body)
    before = await state(service)
    async with service.container.engine().connect() as conn:
        import sqlalchemy as sa

        from adapters.sql.tables import license_history
        rows_before = (await conn.execute(sa.select(sa.func.count()).select_from(license_history))).scalar_one()
    await post_all(service, body, body)
    after = await state(service)
    assert after[0] == before[0]
    async with service.container.engine().connect() as conn:
        rows_after = (await conn.execute(sa.select(sa.func.count()).select_from(license_history))).scalar_one()
    assert rows_after == rows_before
