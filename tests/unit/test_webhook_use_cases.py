"""RecordEvent, ProcessEvent and the Ledger on memory adapters."""

import asyncio
from dataclasses import replace

import pytest

from adapters.signing.verifier import verify
from core.domain.model import ActorType, DeliveryStatus, EventStatus, LicenseStatus
from core.usecases.process_event import ProcessEventCommand
from ports.errors import StorageUnavailable
from tests.conftest import gumroad_body
from tests.bodies import sale_body
from tests.unit.world import World


@pytest.fixture
def world() -> World:
    return World()


async def test_a_sale_mints_one_active_license_with_a_verifiable_key(world):
    event = await world.receive(gumroad_body("01_sale_licensed_basic"))
    assert event.status is EventStatus.PROCESSED and event.outcome.startswith("minted lic_")
    assert (event.kind, event.external_id) == ("sale", "FO8TXN-dbxYaBdahG97Y-Q==")
    [lic] = world.licenses()
    assert (lic.product, lic.tier, lic.seats, lic.status) == ("acmesoft-pro", "desktop", 1, LicenseStatus.ACTIVE)
    assert (lic.email, lic.licensee, lic.test) == ("jane.doe@example.com", "Jane Doe", False)
    result = verify(lic.key, [k.public_key for k in world.signer.published])
    assert result.valid and result.claims["lid"] == lic.id and result.claims["name"] == "Jane Doe"


async def test_a_sale_queues_one_delivery_and_wakes_the_worker(world):
    await world.receive(gumroad_body("01_sale_licensed_basic"))
    [delivery] = world.deliveries()
    assert delivery.status is DeliveryStatus.PENDING and delivery.recipient == "jane.doe@example.com"
    assert world.wakeup.calls == 1


async def test_the_first_history_row_names_the_event_that_caused_it(world):
    event = await world.receive(gumroad_body("01_sale_licensed_basic"))
    [entry] = world.store.history
    assert (entry.from_status, entry.to_status) == (None, LicenseStatus.ACTIVE)
    assert (entry.actor_type, entry.actor_id) == (ActorType.EVENT, event.id)


async def test_duplicate_sale_returns_the_existing_license_and_queues_nothing(world):
    first = await world.receive(gumroad_body("01_sale_licensed_basic"))
    again = await world.receive(gumroad_body("01_sale_licensed_basic"))
    retried = await world.receive(gumroad_body("01_sale_licensed_basic") + b"&retry_count=1")
    [lic] = world.licenses()
    assert first.outcome == f"minted {lic.id}"
    assert again.outcome == retried.outcome == f"duplicate of {lic.id}"
    assert len(world.deliveries()) == 1 and world.wakeup.calls == 1
    assert len(world.store.events) == 3


async def test_concurrent_duplicates_still_mint_once(world):
    events = await asyncio.gather(*(world.receive(gumroad_body("01_sale_licensed_basic")) for _ in range(10)))
    assert len(world.licenses()) == 1 and len(world.deliveries()) == 1
    assert sum(e.outcome.startswith("minted") for e in events) == 1


async def test_quantity_becomes_seats(world):
    await world.receive(sale_body(quantity="5"))
    assert world.licenses()[0].seats == 5


async def test_variant_picks_the_tier(world):
    await world.receive(gumroad_body("06_sale_recurring_membership_charge"))
    [lic] = world.licenses()
    assert (lic.product, lic.tier) == ("acmesoft-cloud", "pro")
    assert lic.subscription_id == "GDzW4_aBdQc-o7Gbjng7lw=="


async def test_a_renewal_of_a_licensed_subscription_mints_nothing(world):
    from tests.bodies import membership_sale_body

    await world.receive(membership_sale_body())
    renewal = await world.receive(gumroad_body("06_sale_recurring_membership_charge"))
    [lic] = world.licenses()
    assert renewal.outcome == f"renewal recorded against {lic.id}"
    assert len(world.deliveries()) == 1


async def test_a_test_purchase_mints_a_license_tagged_test(world):
    event = await world.receive(gumroad_body("04_sale_test_purchase"))
    [lic] = world.licenses()
    assert event.outcome.startswith("minted") and lic.test is True
    assert verify(lic.key, [k.public_key for k in world.signer.published]).claims["test"] is True


async def test_the_send_test_ping_button_mints_nothing_and_emails_nobody(world):
    event = await world.receive(gumroad_body("05_settings_send_test_ping"))
    assert event.status is EventStatus.PROCESSED
    assert event.outcome.startswith("test ping validated: maps to acmesoft-pro/desktop")
    assert world.licenses() == [] and world.deliveries() == [] and world.wakeup.calls == 0


async def test_the_test_ping_does_not_disturb_the_real_sale_it_repeats(world):
    await world.receive(gumroad_body("01_sale_licensed_basic"))
    before = world.licenses()
    await world.receive(gumroad_body("05_settings_send_test_ping"))
    assert world.licenses() == before and len(world.deliveries()) == 1


async def test_a_test_ping_for_an_unmapped_product_fails_so_the_seller_sees_it(world):
    body = gumroad_body("05_settings_send_test_ping").replace(b"32-nPAicqbLj8B_WswVlMw", b"UNKNOWN")
    event = await world.receive(body)
    assert event.status is EventStatus.FAILED and "UNKNOWN==" in event.outcome
    assert world.licenses() == []


async def test_a_preorder_authorisation_mints_nothing(world):
    event = await world.receive(sale_body(is_preorder_authorization="true"))
    assert event.status is EventStatus.PROCESSED and "preorder" in event.outcome
    assert world.licenses() == []


async def test_an_unmapped_product_is_a_failed_event_naming_the_product(world):
    event = await world.receive(sale_body(product_id="NOPE==", product_name="Mystery"))
    assert event.status is EventStatus.FAILED
    assert "'NOPE=='" in event.outcome and "Mystery" in event.outcome
    assert world.licenses() == [] and world.deliveries() == []


async def test_a_malformed_body_is_stored_and_failed_with_the_field_named(world):
    event = await world.receive(sale_body(sale_id=None))
    assert event.status is EventStatus.FAILED and "sale_id" in event.outcome
    assert world.store.events[event.id].body == sale_body(sale_id=None)


async def test_replaying_a_failed_event_after_fixing_the_cause_mints(world):
    event = await world.receive(sale_body(product_id="LATER=="))
    assert event.status is EventStatus.FAILED
    world.store.events[event.id] = replace(event, body=sale_body())  # stands in for a catalog fix
    replayed = await world.process(ProcessEventCommand(event_id=event.id))
    assert replayed.status is EventStatus.PROCESSED and replayed.attempts == 2
    again = await world.process(ProcessEventCommand(event_id=event.id))
    assert again == replayed and len(world.licenses()) == 1


async def test_an_unexpected_error_marks_the_event_failed_instead_of_losing_it(world, monkeypatch):
    def boom(*args):
        raise RuntimeError("catalog exploded")

    monkeypatch.setattr(world.catalog, "resolve", boom)
    event = await world.receive(gumroad_body("01_sale_licensed_basic"))
    assert event.status is EventStatus.FAILED and "catalog exploded" in event.outcome


async def test_recording_fails_loudly_when_the_store_is_down(world):
    world.store.available = False
    with pytest.raises(StorageUnavailable):
        await world.receive(gumroad_body("01_sale_licensed_basic"))


async def test_replaying_failed_events_also_picks_up_events_stuck_as_received(world):
    from core.usecases.record_event import RecordEventCommand
    from core.usecases.replay_events import ReplayFailedCommand, ReplayFailedEvents

    stuck = await world.record(RecordEventCommand(source="gumroad", body=gumroad_body("01_sale_licensed_basic"),
                                                  content_type="application/x-www-form-urlencoded"))
    fresh = await world.record(RecordEventCommand(source="gumroad", body=sale_body(sale_id="fresh=="),
                                                  content_type="application/x-www-form-urlencoded"))
    world.clock.advance(minutes=6)
    fresher = await world.record(RecordEventCommand(source="gumroad", body=sale_body(sale_id="new=="),
                                                    content_type="application/x-www-form-urlencoded"))
    replay = ReplayFailedEvents(uow=world.uow, process=world.process, clock=world.clock)
    summary = await replay(ReplayFailedCommand())
    assert (summary.replayed, summary.processed) == (2, 2)
    assert world.store.events[stuck.id].status is EventStatus.PROCESSED
    assert world.store.events[fresh.id].status is EventStatus.PROCESSED
    assert world.store.events[fresher.id].status is EventStatus.RECEIVED  # may still be in flight


async def test_a_product_with_key_name_false_mints_keys_without_the_buyers_name(tmp_path):
    import yaml

    from adapters.catalog.yaml_catalog import YamlCatalog
    from tests.unit.world import ROOT

    data = yaml.safe_load((ROOT / "config/products.yaml").read_text())
    data["products"]["acmesoft-pro"]["key_name"] = False
    (tmp_path / "products.yaml").write_text(yaml.safe_dump(data))
    world = World(catalog=YamlCatalog.load(tmp_path / "products.yaml"))
    await world.receive(gumroad_body("01_sale_licensed_basic"))
    [lic] = world.licenses()
    claims = verify(lic.key, [k.public_key for k in world.signer.published]).claims
    assert lic.licensee == "Jane Doe"  # kept for the email and the operator, only the key leaves it out
    assert claims["lid"] == lic.id and "name" not in claims


async def test_a_delivery_that_cannot_be_written_leaves_no_license_and_fails_the_event(world, monkeypatch):
    async def refuse(self, delivery):
        raise RuntimeError("outbox write refused")

    monkeypatch.setattr("adapters.memory.unit_of_work.MemoryDeliveryRepository.add", refuse)
    event = await world.receive(gumroad_body("01_sale_licensed_basic"))
    assert event.status is EventStatus.FAILED and "outbox write refused" in event.outcome
    assert world.licenses() == [] and world.deliveries() == [] and world.store.history == []
    assert world.wakeup.calls == 0
