"""The admin's use cases on memory adapters, through the production container: minting by
hand, status changes, resends, retries, replays and the read-only views."""

import pytest

from core.domain.errors import InvalidInput, NotFound
from core.domain.model import (
    ActorType, DeliveryStatus, EventStatus, IllegalTransition, LicenseStatus, OutcomeCode,
)
from core.domain.queries import EventFilter, LicenseFilter, PageRequest
from core.usecases.browse import ListCommand, ShowCommand
from core.usecases.change_license_status import ChangeLicenseStatusCommand
from core.usecases.mint_license import MintLicenseCommand
from core.usecases.replay_events import ReplayEventCommand
from core.usecases.resend_license import ResendLicenseCommand
from core.usecases.retry_delivery import RetryDeliveryCommand
from ports.mailer import SendOutcome, SendResult
from tests.bodies import sale_body
from tests.unit.world import World

ACTIVE, SUSPENDED, REVOKED = LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED, LicenseStatus.REVOKED


@pytest.fixture
def world() -> World:
    return World()


def mint(world, **kw):
    fields = dict(product="acmesoft-pro", tier=None, email="ann@example.com", admin="alice")
    return world.container.mint_license()(MintLicenseCommand(**{**fields, **kw}))


def change(world, lic_id, action, reason="support ticket 12"):
    return world.container.change_license_status()(
        ChangeLicenseStatusCommand(license_id=lic_id, action=action, reason=reason, admin="alice"))


async def test_an_admin_mints_a_license_by_hand_queues_its_email_and_is_named_in_history(world):
    minted = await mint(world, seats=3, licensee="Ann")
    lic = minted.license
    assert minted.created and (lic.source, lic.seats, lic.licensee, lic.status) == ("manual", 3, "Ann", ACTIVE)
    [entry] = world.store.history
    assert (entry.actor_type, entry.actor_id, entry.reason) == (ActorType.ADMIN, "alice", "minted by hand")
    assert len(world.deliveries()) == 1 and world.wakeup.calls == 1


async def test_minting_by_hand_twice_with_one_order_id_returns_the_first_and_sends_nothing(world):
    first = await mint(world, order_id="press-1")
    again = await mint(world, order_id="press-1")
    assert not again.created and again.license.id == first.license.id and len(world.deliveries()) == 1


@pytest.mark.parametrize(("field", "kw"), [
    ("product", {"product": "nope"}), ("tier", {"product": "acmesoft-cloud"}), ("email", {"email": "x"}),
    ("seats", {"seats": 0}),
])
async def test_minting_by_hand_refuses_bad_input_naming_the_field(world, field, kw):
    with pytest.raises(InvalidInput) as caught:
        await mint(world, **kw)
    assert caught.value.field == field and world.licenses() == []


async def test_an_admin_suspends_and_reinstates_with_a_reason_in_history(world):
    lic = (await mint(world)).license
    await change(world, lic.id, "suspend")
    back = await change(world, lic.id, "reinstate", "paid after all")
    assert back.status is ACTIVE
    assert [(h.to_status, h.reason) for h in world.store.history][1:] == [
        (SUSPENDED, "support ticket 12"), (ACTIVE, "paid after all")]


async def test_revoking_a_revoked_license_is_an_illegal_transition_not_a_silent_success(world):
    lic = (await mint(world)).license
    await change(world, lic.id, "revoke")
    with pytest.raises(IllegalTransition):
        await change(world, lic.id, "revoke")


async def test_a_status_change_needs_a_known_action_and_a_reason(world):
    lic = (await mint(world)).license
    with pytest.raises(InvalidInput):
        await change(world, lic.id, "delete")
    with pytest.raises(InvalidInput):
        await change(world, lic.id, "revoke", "  ")
    with pytest.raises(NotFound):
        await change(world, "lic_nope", "revoke")


async def test_reinstating_a_license_that_was_never_emailed_sends_its_first_email(world):
    await world.receive(sale_body(resource_name="dispute", disputed="true"))
    await world.receive(sale_body())
    [lic] = world.licenses()
    assert lic.status is SUSPENDED and world.deliveries() == []
    await change(world, lic.id, "reinstate", "dispute settled by phone")
    assert len(world.deliveries()) == 1


async def test_resend_queues_every_active_license_of_an_address_once(world):
    one = (await mint(world, order_id="a")).license
    two = (await mint(world, order_id="b", email="ANN@example.com")).license
    await mint(world, order_id="c", email="other@example.com")
    await change(world, two.id, "suspend")
    await world.deliver_due()
    queued = await world.container.resend_license()(ResendLicenseCommand(email="ann@example.com"))
    again = await world.container.resend_license()(ResendLicenseCommand(email="ann@example.com"))
    assert (queued, again) == (1, 0)
    assert [d.license_id for d in world.deliveries() if d.status is DeliveryStatus.PENDING] == [one.id]


async def test_resending_one_license_by_id_needs_it_active(world):
    lic = (await mint(world)).license
    await change(world, lic.id, "revoke")
    with pytest.raises(IllegalTransition):
        await world.container.resend_license()(ResendLicenseCommand(license_id=lic.id))


async def test_a_dead_delivery_is_retried_due_now_and_a_live_one_is_refused(world):
    await mint(world)
    world.mailer.script = [SendResult(outcome=SendOutcome.PERMANENT_RECIPIENT, detail="no such mailbox")]
    await world.deliver_due()
    [dead] = world.deliveries()
    assert dead.status is DeliveryStatus.DEAD
    wakes = world.wakeup.calls
    retried = await world.container.retry_delivery()(RetryDeliveryCommand(delivery_id=dead.id, admin="alice"))
    assert (retried.status, retried.attempts, retried.next_attempt_at) == (DeliveryStatus.PENDING, 0, world.clock.now())
    assert world.wakeup.calls == wakes + 1
    with pytest.raises(IllegalTransition):
        await world.container.retry_delivery()(RetryDeliveryCommand(delivery_id=dead.id, admin="alice"))


async def test_replaying_one_event_processes_a_failed_one_and_leaves_a_processed_one(world):
    failed = await world.receive(sale_body(product_id="LATER=="))
    done = await world.receive(sale_body(sale_id="other=="))
    replay = world.container.replay_event()
    assert (await replay(ReplayEventCommand(event_id=failed.id))).outcome_code is OutcomeCode.UNMAPPED_PRODUCT
    assert await replay(ReplayEventCommand(event_id=done.id)) == done
    with pytest.raises(NotFound):
        await replay(ReplayEventCommand(event_id="evt_nope"))


async def test_the_admin_views_list_filter_and_show_in_full(world):
    await world.receive(sale_body())
    await world.receive(sale_body(product_id="NOPE=="))
    licenses = await world.container.list_licenses()(ListCommand(where=LicenseFilter(status=ACTIVE)))
    [lic] = licenses.items
    failed = await world.container.list_events()(ListCommand(where=EventFilter(status=EventStatus.FAILED),
                                                             page=PageRequest(limit=1)))
    assert len(failed.items) == 1 and failed.next is None
    detail = await world.container.show_license()(ShowCommand(id=lic.id))
    assert detail.license == lic and len(detail.history) == 1 and len(detail.deliveries) == 1
    event = await world.container.show_event()(ShowCommand(id=failed.items[0].id))
    assert event.outcome_code is OutcomeCode.UNMAPPED_PRODUCT
    with pytest.raises(NotFound):
        await world.container.show_license()(ShowCommand(id="lic_nope"))
