"""Refunds, disputes and subscriptions on memory adapters: a license follows the money."""

import pytest

from adapters.signing.verifier import verify
from core.domain.model import ActorType, DeliveryStatus, EventStatus, LicenseStatus
from tests.bodies import (
    FIRST_MEMBERSHIP_SALE,
    dispute_body, dispute_won_body, membership_sale_body, refund_body, renewal_body, sale_body,
    subscription_body,
)
from tests.unit.world import World

ACTIVE, SUSPENDED, REVOKED = LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED, LicenseStatus.REVOKED


@pytest.fixture
def world() -> World:
    return World()


def the_license(world):
    [lic] = world.licenses()
    return lic


def history(world, lic_id):
    return [(h.from_status, h.to_status, h.reason) for h in world.store.history if h.license_id == lic_id]


async def test_a_full_refund_revokes_and_history_names_the_event(world):
    await world.receive(sale_body())
    event = await world.receive(refund_body())
    lic = the_license(world)
    assert (lic.status, lic.status_reason) == (REVOKED, "refund")
    assert event.outcome == f"{lic.id} active → revoked (refund)"
    last = world.store.history[-1]
    assert (last.actor_type, last.actor_id, last.reason) == (ActorType.EVENT, event.id, "refund")


async def test_a_partial_refund_is_recorded_and_changes_nothing(world):
    await world.receive(sale_body())
    event = await world.receive(refund_body(refunded=False))
    assert the_license(world).status is ACTIVE
    assert event.status is EventStatus.PROCESSED and "partial refund" in event.outcome


async def test_a_dispute_suspends_and_a_won_dispute_reinstates(world):
    await world.receive(sale_body())
    await world.receive(dispute_body())
    assert the_license(world).status is SUSPENDED
    await world.receive(dispute_won_body())
    lic = the_license(world)
    assert lic.status is ACTIVE and lic.status_reason is None
    assert [h[1:] for h in history(world, lic.id)] == [
        (ACTIVE, "minted from sale; quantity 1, price_cents 2900, currency usd"), (SUSPENDED, "dispute"),
        (ACTIVE, "dispute won")]


async def test_a_won_dispute_does_not_undo_a_refund(world):
    await world.receive(sale_body())
    await world.receive(dispute_body())
    await world.receive(refund_body())
    await world.receive(dispute_won_body())
    assert the_license(world).status is REVOKED


async def test_replayed_and_duplicate_refunds_change_nothing_more(world):
    await world.receive(sale_body())
    await world.receive(refund_body())
    again = await world.receive(refund_body())
    lic = the_license(world)
    assert "stays revoked" in again.outcome and len(history(world, lic.id)) == 2


async def test_a_refund_before_its_sale_means_the_license_is_never_active_and_never_emailed(world):
    refund = await world.receive(refund_body())
    assert "no license for sale" in refund.outcome and world.licenses() == []
    sale = await world.receive(sale_body())
    lic = the_license(world)
    assert lic.status is REVOKED and world.deliveries() == [] and world.wakeup.calls == 0
    assert sale.outcome.startswith(f"minted {lic.id} revoked") and refund.id in sale.outcome
    assert [h[1] for h in history(world, lic.id)] == [ACTIVE, REVOKED]
    assert world.store.history[-1].actor_id == refund.id


async def test_a_partial_refund_before_its_sale_does_not_stop_the_license(world):
    await world.receive(refund_body(refunded=False))
    await world.receive(sale_body())
    assert the_license(world).status is ACTIVE and len(world.deliveries()) == 1


async def test_a_dispute_before_its_sale_mints_suspended_and_the_win_sends_the_first_email(world):
    await world.receive(dispute_body())
    await world.receive(sale_body())
    assert the_license(world).status is SUSPENDED and world.deliveries() == []
    await world.receive(dispute_won_body())
    assert the_license(world).status is ACTIVE and len(world.deliveries()) == 1


async def test_a_refund_of_a_sale_we_never_licensed_is_recorded_not_failed(world):
    await world.receive(sale_body(product_id="UNMAPPED=="))  # failed: unmapped product
    event = await world.receive(refund_body(product_id="UNMAPPED=="))
    assert event.status is EventStatus.PROCESSED and "no license" in event.outcome


async def test_a_gift_licenses_the_receiver_and_never_names_the_gifter(world):
    await world.receive(sale_body(is_gift_receiver_purchase="true", email="friend@example.com",
                                  gifter_email="giver@example.com", price="0", full_name="Gene Giver"))
    lic = the_license(world)
    assert (lic.email, lic.licensee, lic.gifted_by) == ("friend@example.com", None, "giver@example.com")
    claims = verify(lic.key, [k.public_key for k in world.signer.published]).claims
    assert "name" not in claims and "Gene" not in lic.key
    await world.deliver_due()
    [email] = world.mailer.sent
    assert email.to == "friend@example.com" and "Gene Giver" not in email.text + email.html
    assert "a gift from giver@example.com" in email.text and "a gift from giver@example.com" in email.html


async def test_a_renewal_mints_nothing_and_sends_nothing(world):
    await world.receive(membership_sale_body())
    event = await world.receive(renewal_body())
    lic = the_license(world)
    assert event.outcome == f"renewal recorded against {lic.id}" and len(world.deliveries()) == 1


async def test_a_cancellation_is_recorded_and_access_continues(world):
    await world.receive(membership_sale_body())
    event = await world.receive(subscription_body("cancellation"))
    lic = the_license(world)
    assert lic.status is ACTIVE and "access continues until 2025-07-01" in event.outcome


async def test_subscription_ended_revokes_and_restarted_reinstates(world):
    await world.receive(membership_sale_body())
    await world.deliver_due()
    ended = await world.receive(subscription_body("subscription_ended"))
    lic = the_license(world)
    assert (lic.status, lic.status_reason) == (REVOKED, "subscription ended") and "revoked" in ended.outcome
    await world.receive(subscription_body("subscription_restarted"))
    await world.deliver_due()
    assert the_license(world).status is ACTIVE
    assert len(world.mailer.sent) == 1  # the buyer already has the key: no second email


async def test_an_email_still_waiting_when_its_license_stops_is_withdrawn_and_sent_once_when_back(world):
    await world.receive(membership_sale_body())
    await world.receive(subscription_body("subscription_ended"))
    assert [d.status for d in world.deliveries()] == [DeliveryStatus.WITHDRAWN]
    await world.receive(subscription_body("subscription_restarted"))
    await world.deliver_due()
    assert len(world.mailer.sent) == 1


async def test_a_restart_does_not_reinstate_a_refunded_membership(world):
    await world.receive(membership_sale_body())
    await world.receive(refund_body(sale_id=FIRST_MEMBERSHIP_SALE, product_id="Yh3qk7Rz0pL9mWx2Vb8cJA=="))
    await world.receive(subscription_body("subscription_restarted"))
    assert the_license(world).status is REVOKED


async def test_a_tier_change_issues_a_new_key_on_the_same_license_and_emails_it(world):
    await world.receive(membership_sale_body())
    before = the_license(world)
    event = await world.receive(subscription_body("subscription_updated"))
    after = the_license(world)
    assert (before.tier, after.tier) == ("pro", "basic") and after.id == before.id
    assert after.key != before.key
    claims = verify(after.key, [k.public_key for k in world.signer.published]).claims
    assert (claims["lid"], claims["tier"]) == (before.id, "basic")
    assert len(world.deliveries()) == 2 and "tier changed pro → basic" in event.outcome


async def test_a_tier_change_to_an_unmapped_tier_leaves_the_license_alone(world):
    await world.receive(membership_sale_body())
    before = the_license(world)
    event = await world.receive(subscription_body("subscription_updated", **{"new_plan[tier][name]": "Gold"}))
    assert the_license(world) == before and "not mapped" in event.outcome


async def test_subscription_events_find_the_license_through_purchase_ids(world):
    await world.receive(membership_sale_body(subscription_id=None))
    await world.receive(subscription_body("subscription_ended"))
    assert the_license(world).status is REVOKED


async def test_a_subscription_event_for_an_unknown_subscription_is_recorded(world):
    event = await world.receive(subscription_body("subscription_ended", subscription_id="OTHER==",
                                                  **{"purchase_ids[]": None}))
    assert event.status is EventStatus.PROCESSED and "no license for subscription" in event.outcome


async def test_a_dispute_and_its_win_before_the_sale_mint_an_active_license_with_one_email(world):
    await world.receive(dispute_body())
    await world.receive(dispute_won_body())
    sale = await world.receive(sale_body())
    lic = the_license(world)
    assert lic.status is ACTIVE and sale.status is EventStatus.PROCESSED
    assert len(world.deliveries()) == 1
