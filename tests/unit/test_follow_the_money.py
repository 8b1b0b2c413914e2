"""The cases a new user hit with real-shaped pings in the orders Gumroad produces: late
copies, replays after a catalog fix, renewals first, refunds of renewals, unmapped plan
changes, gifts and multi-seat tiers."""

import pytest

from core.domain.model import DeliveryStatus, EventStatus, LicenseStatus, OutcomeCode
from core.usecases.process_event import ProcessEventCommand
from core.usecases.replay_events import ReplayFailedCommand
from tests.bodies import (
    FIRST_MEMBERSHIP_SALE, dispute_body, dispute_won_body, membership_refund_body, membership_sale_body,
    renewal_body, sale_body, subscription_body,
)
from tests.unit.catalogs import WITH_GOLD, EditableCatalog
from tests.unit.world import World

ACTIVE, SUSPENDED, REVOKED = LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED, LicenseStatus.REVOKED
RENEWAL = "u1Lw9dP7c3Xe0FqJm4ZtYQ=="


@pytest.fixture
def world() -> World:
    return World()


def only_license(world):
    [lic] = world.licenses()
    return lic


async def emails_sent(world) -> int:
    while (await world.deliver_due()).claimed:
        pass
    return len(world.mailer.sent)


async def test_a_dispute_delivered_again_after_its_win_leaves_the_license_active(world):
    await world.receive(sale_body())
    await world.receive(dispute_body())
    await world.receive(dispute_won_body())
    late = await world.receive(dispute_body())
    assert only_license(world).status is ACTIVE
    assert late.outcome_code is OutcomeCode.UNCHANGED


async def test_subscription_ended_delivered_again_after_the_restart_leaves_the_license_active(world):
    await world.receive(membership_sale_body())
    await world.receive(subscription_body("subscription_ended"))
    await world.receive(subscription_body("subscription_restarted"))
    late = await world.receive(subscription_body("subscription_ended"))
    assert only_license(world).status is ACTIVE and late.outcome_code is OutcomeCode.UNCHANGED


async def test_a_restart_older_than_the_end_does_not_reinstate(world):
    await world.receive(membership_sale_body())
    await world.receive(subscription_body("subscription_restarted", restarted_at="2025-06-15T00:00:00Z"))
    await world.receive(subscription_body("subscription_ended"))
    assert only_license(world).status is REVOKED


async def test_history_rows_are_written_only_for_real_changes_each_naming_its_event(world):
    sale = await world.receive(sale_body())
    dispute = await world.receive(dispute_body())
    await world.receive(dispute_body())
    won = await world.receive(dispute_won_body())
    await world.receive(dispute_won_body())
    await world.receive(sale_body())
    rows = world.store.history
    assert [(h.to_status, h.actor_id) for h in rows] == [(ACTIVE, sale.id), (SUSPENDED, dispute.id), (ACTIVE, won.id)]


async def test_a_renewal_before_the_failed_first_charge_gives_one_license_and_one_email():
    catalog = EditableCatalog()
    world = World(catalog=catalog)
    first = await world.receive(membership_sale_body(**{"variants[Tier]": "Gold"}))
    assert first.status is EventStatus.FAILED and first.outcome_code is OutcomeCode.UNMAPPED_PRODUCT
    catalog.edit(WITH_GOLD)
    renewal = await world.receive(renewal_body(**{"variants[Tier]": "Gold"}))
    summary = await world.container.replay_failed()(ReplayFailedCommand())
    assert summary.processed == 1 and renewal.outcome_code is OutcomeCode.MINTED
    lic = only_license(world)
    assert lic.subscription_id == "GDzW4_aBdQc-o7Gbjng7lw==" and lic.tier == "gold" and lic.seats == 5
    assert await emails_sent(world) == 1
    await world.receive(subscription_body("subscription_ended"))
    assert only_license(world).status is REVOKED


async def test_every_charge_of_a_subscription_points_to_its_one_license(world):
    await world.receive(renewal_body())
    await world.receive(membership_sale_body())
    await world.receive(renewal_body("third==", sale_timestamp="2025-07-01T09:00:00Z"))
    lic = only_license(world)
    external = {e.external_id for e in world.store.events.values()}
    assert external == {lic.subscription_id} and await emails_sent(world) == 1


async def test_a_refund_of_a_renewal_revokes_the_subscription_license(world):
    await world.receive(membership_sale_body())
    await world.receive(renewal_body())
    refund = await world.receive(membership_refund_body(RENEWAL))
    lic = only_license(world)
    assert refund.outcome_code is OutcomeCode.CHANGED and (lic.status, lic.status_reason) == (REVOKED, "refund")


async def test_a_refund_of_the_first_charge_arriving_first_is_applied_when_the_subscription_is_licensed(world):
    early = await world.receive(membership_refund_body(FIRST_MEMBERSHIP_SALE))
    assert early.outcome_code is OutcomeCode.RECORDED
    await world.receive(renewal_body())
    assert only_license(world).status is REVOKED and await emails_sent(world) == 0


async def test_a_plan_change_to_an_unmapped_tier_fails_naming_the_tier_and_applies_once_mapped():
    catalog = EditableCatalog()
    world = World(catalog=catalog)
    await world.receive(membership_sale_body())
    await emails_sent(world)
    before = only_license(world)
    update = await world.receive(subscription_body("subscription_updated", **{"new_plan[tier][name]": "Gold"}))
    assert update.status is EventStatus.FAILED and update.outcome_code is OutcomeCode.UNMAPPED_TIER
    assert "'Gold'" in update.outcome and only_license(world) == before
    catalog.edit(WITH_GOLD)
    replayed = await world.process(ProcessEventCommand(event_id=update.id))
    after = only_license(world)
    assert replayed.status is EventStatus.PROCESSED and (after.tier, after.seats, after.key_generation) == ("gold", 5, 2)
    assert after.key != before.key and await emails_sent(world) == 2


async def test_a_tier_change_email_replaces_a_first_email_not_yet_sent(world):
    await world.receive(membership_sale_body())
    await world.receive(subscription_body("subscription_updated"))
    statuses = sorted(d.status for d in world.deliveries())
    assert statuses == [DeliveryStatus.PENDING, DeliveryStatus.WITHDRAWN]
    assert await emails_sent(world) == 1 and world.mailer.sent[0].text.count(only_license(world).key) == 1


async def test_seats_are_the_tiers_seats_times_the_quantity_and_the_terms_are_recorded():
    world = World(catalog=EditableCatalog(WITH_GOLD))
    await world.receive(membership_sale_body(**{"variants[Tier]": "Gold", "quantity": "2", "price": "4800"}))
    lic = only_license(world)
    assert (lic.seats, lic.quantity, lic.price_cents, lic.currency) == (10, 2, 4800, "usd")
    assert "quantity 2, price_cents 4800, currency usd" in world.store.history[0].reason


async def test_an_operators_seat_count_and_key_survive_events_that_do_not_change_the_terms(world):
    from core.usecases.change_seats import ChangeSeatsCommand

    await world.receive(membership_sale_body(recurrence="monthly"))
    lic = only_license(world)
    await world.container.change_seats()(ChangeSeatsCommand(license_id=lic.id, seats=5, admin="alice"))
    renewal = await world.receive(renewal_body())
    await world.receive(subscription_body("cancellation"))
    after = only_license(world)
    assert (after.seats, after.key) == (5, lic.key) and after.paid_until > lic.paid_until
    assert renewal.outcome == f"renewal recorded against {lic.id}"


async def test_an_admins_reinstatement_stays_until_an_event_changes_the_status_again(world):
    from core.usecases.change_license_status import ChangeLicenseStatusCommand

    await world.receive(sale_body())
    await world.receive(dispute_body())
    lic = only_license(world)
    await world.container.change_license_status()(ChangeLicenseStatusCommand(
        license_id=lic.id, action="reinstate", reason="bank confirmed", admin="alice"))
    await world.receive(dispute_body())  # a late copy: the standing is unchanged
    assert only_license(world).status is ACTIVE
    await world.receive(sale_body(resource_name="refund", refunded="true"))
    assert only_license(world).status is REVOKED
