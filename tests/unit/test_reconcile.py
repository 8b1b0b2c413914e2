"""Reconcile, on memory adapters, against the fake Sales API through the real client."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.gumroad.encoder import GumroadNoticeEncoder
from adapters.gumroad.parser import GumroadParser
from adapters.gumroad.sales_api import GumroadSalesApi
from core.domain.model import EventOrigin, EventStatus, LicenseStatus
from core.usecases.reconcile import FIRST_RUN, OVERLAP, Reconcile, ReconcileCommand
from tests.support.fake_gumroad import TOKEN
from tests.unit.world import World

PRO = "32-nPAicqbLj8B_WswVlMw=="


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
async def world(fake_gumroad):
    w = World()
    w.clock.current = fake_gumroad.now
    w.api = GumroadSalesApi(TOKEN, fake_gumroad.url, timeout_seconds=0.5, retries=1, sleep=_no_sleep)
    w.reconcile = Reconcile(
        uow=w.uow, sales=w.api, parsers={"gumroad": GumroadParser()}, encoder=GumroadNoticeEncoder(),
        process=w.process, clock=w.clock, ids=w.ids,
    )
    yield w
    await w.api.close()


def by_order(world, sale_id):
    return [x for x in world.licenses() if x.order_id == sale_id]


async def test_a_sale_that_never_pinged_is_minted_once_with_one_email(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="lost@example.com", full_name="Lost Buyer")
    summary = await world.reconcile(ReconcileCommand())
    assert summary.complete and summary.pages_read == 1 and summary.sales_seen == 1
    assert [(f.sale_id, f.kind) for f in summary.recovered] == [(sale.id, "sale")]
    [lic] = by_order(world, sale.id)
    assert lic.email == "lost@example.com" and lic.licensee == "Lost Buyer" and lic.status is LicenseStatus.ACTIVE
    [event] = world.store.events.values()
    assert event.origin is EventOrigin.RECONCILE and event.status is EventStatus.PROCESSED
    assert len(world.deliveries()) == 1

    again = await world.reconcile(ReconcileCommand())
    assert again.recovered == () and len(world.licenses()) == 1
    late = await world.receive(sale.ping())
    assert late.outcome == f"duplicate of {lic.id}" and len(world.deliveries()) == 1


async def test_a_sale_whose_ping_arrived_is_not_recovered(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="a@example.com")
    await world.receive(sale.ping())
    summary = await world.reconcile(ReconcileCommand())
    assert summary.sales_seen == 1 and summary.recovered == () and summary.lifecycle == ()
    assert len(world.licenses()) == 1 and len(world.store.events) == 1


async def test_kinds_gumroad_never_lists_are_not_treated_as_missing(world, fake_gumroad):
    fake_gumroad.add_sale(product_id=PRO, email="seller@example.com", state="test_successful")
    fake_gumroad.add_sale(product_id=PRO, email="pre@example.com", state="preorder_auth")
    fake_gumroad.add_sale(product_id=PRO, email="failed@example.com", state="failed")
    summary = await world.reconcile(ReconcileCommand())
    assert summary.sales_seen == 0 and summary.recovered == () and world.licenses() == []


async def test_exactly_ten_sales_take_one_page_and_eleven_take_two(world, fake_gumroad):
    for i in range(10):
        fake_gumroad.add_sale(product_id=PRO, email=f"b{i}@example.com", ago=timedelta(minutes=30 - i))
    summary = await world.reconcile(ReconcileCommand())
    assert (summary.pages_read, summary.sales_seen, len(summary.recovered)) == (1, 10, 10)
    fake_gumroad.add_sale(product_id=PRO, email="b10@example.com", ago=timedelta(minutes=1))
    summary = await world.reconcile(ReconcileCommand())
    assert (summary.pages_read, summary.sales_seen, len(summary.recovered)) == (2, 11, 1)
    assert len(world.licenses()) == 11 and len(world.deliveries()) == 11


async def test_a_refund_found_later_revokes_and_a_dispute_suspends_then_a_win_reinstates(world, fake_gumroad):
    refunded = fake_gumroad.add_sale(product_id=PRO, email="r@example.com", ago=timedelta(hours=3))
    disputed = fake_gumroad.add_sale(product_id=PRO, email="d@example.com", ago=timedelta(hours=2))
    await world.reconcile(ReconcileCommand())
    refunded.refunded = True
    disputed.disputed = True
    summary = await world.reconcile(ReconcileCommand())
    assert sorted((f.sale_id, f.kind) for f in summary.lifecycle) == sorted(
        [(refunded.id, "refund"), (disputed.id, "dispute")])
    assert by_order(world, refunded.id)[0].status is LicenseStatus.REVOKED
    assert by_order(world, disputed.id)[0].status is LicenseStatus.SUSPENDED

    disputed.dispute_won = True
    summary = await world.reconcile(ReconcileCommand())
    assert [(f.sale_id, f.kind) for f in summary.lifecycle] == [(disputed.id, "dispute_won")]
    assert by_order(world, disputed.id)[0].status is LicenseStatus.ACTIVE
    assert (await world.reconcile(ReconcileCommand())).lifecycle == ()


async def test_a_chargeback_counts_as_a_dispute(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="c@example.com")
    await world.reconcile(ReconcileCommand())
    sale.disputed = sale.chargedback = True
    await world.reconcile(ReconcileCommand())
    assert by_order(world, sale.id)[0].status is LicenseStatus.SUSPENDED


async def test_a_refund_already_applied_by_its_ping_is_not_applied_again(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="r@example.com")
    await world.receive(sale.ping())
    sale.refunded = True
    await world.receive(sale.ping("refund"))
    summary = await world.reconcile(ReconcileCommand())
    assert summary.lifecycle == () and by_order(world, sale.id)[0].status is LicenseStatus.REVOKED


async def test_a_partial_refund_ping_does_not_count_as_the_full_refund(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="r@example.com")
    await world.receive(sale.ping())
    await world.receive(sale.ping("refund"))  # refunded=false: partial
    sale.refunded = True
    summary = await world.reconcile(ReconcileCommand())
    assert [f.kind for f in summary.lifecycle] == ["refund"]
    assert by_order(world, sale.id)[0].status is LicenseStatus.REVOKED


async def test_a_missing_sale_found_already_refunded_is_minted_revoked_with_no_email(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="r@example.com", refunded=True)
    summary = await world.reconcile(ReconcileCommand())
    assert [f.kind for f in summary.lifecycle] == ["refund"] and [f.kind for f in summary.recovered] == ["sale"]
    [lic] = by_order(world, sale.id)
    assert lic.status is LicenseStatus.REVOKED and world.deliveries() == []


async def test_a_refunded_gift_revokes_the_giftees_license(world, fake_gumroad):
    sender, receiver = fake_gumroad.add_gift(product_id=PRO, gifter="giver@example.com", giftee="lucky@example.com")
    pinged = await world.receive(receiver.ping())
    assert pinged.status is EventStatus.PROCESSED
    summary = await world.reconcile(ReconcileCommand())
    assert summary.sales_seen == 1 and summary.recovered == () and summary.lifecycle == ()

    sender.refunded = True  # Gumroad refunds the gifter's sale and pings nobody
    summary = await world.reconcile(ReconcileCommand())
    assert [(f.sale_id, f.kind) for f in summary.lifecycle] == [(receiver.id, "refund")]
    [lic] = world.licenses()
    assert lic.order_id == receiver.id and lic.email == "lucky@example.com"
    assert lic.status is LicenseStatus.REVOKED


async def test_a_gift_whose_ping_never_came_licenses_the_giftee(world, fake_gumroad):
    sender, _ = fake_gumroad.add_gift(product_id=PRO, gifter="giver@example.com", giftee="lucky@example.com")
    summary = await world.reconcile(ReconcileCommand())
    assert [(f.sale_id, f.kind) for f in summary.recovered] == [(sender.id, "sale")]
    [lic] = world.licenses()
    assert lic.email == "lucky@example.com" and [d.recipient for d in world.deliveries()] == ["lucky@example.com"]
    assert (await world.reconcile(ReconcileCommand())).recovered == ()


async def test_the_late_ping_of_a_recovered_gift_is_a_duplicate(world, fake_gumroad):
    sender, receiver = fake_gumroad.add_gift(product_id=PRO, gifter="giver@example.com", giftee="lucky@example.com")
    await world.reconcile(ReconcileCommand())
    [lic] = world.licenses()
    late = await world.receive(receiver.ping())
    assert late.status is EventStatus.PROCESSED and late.outcome.startswith(f"duplicate of {lic.id}")
    assert len(world.licenses()) == 1 and len(world.deliveries()) == 1
    sender.refunded = True
    summary = await world.reconcile(ReconcileCommand())
    assert [(f.sale_id, f.kind) for f in summary.lifecycle] == [(sender.id, "refund")]
    assert world.licenses()[0].status is LicenseStatus.REVOKED


async def test_two_gifts_of_one_product_between_the_same_people_stay_two_licenses(world, fake_gumroad):
    first, first_copy = fake_gumroad.add_gift(product_id=PRO, gifter="g@example.com", giftee="r@example.com",
                                              ago=timedelta(hours=5))
    second, second_copy = fake_gumroad.add_gift(product_id=PRO, gifter="g@example.com", giftee="r@example.com",
                                                ago=timedelta(hours=1))
    await world.receive(first_copy.ping())
    await world.receive(second_copy.ping())
    second.refunded = True
    summary = await world.reconcile(ReconcileCommand())
    assert summary.recovered == () and [(f.sale_id, f.kind) for f in summary.lifecycle] == [(second_copy.id, "refund")]
    status = {x.order_id: x.status for x in world.licenses()}
    assert status == {first_copy.id: LicenseStatus.ACTIVE, second_copy.id: LicenseStatus.REVOKED}


async def test_a_product_not_in_the_catalog_is_a_failed_event_listed_in_the_summary(world, fake_gumroad):
    fake_gumroad.add_sale(product_id="bm90LWluLXRoZS1jYXRhbG9nLQ==", email="x@example.com")
    summary = await world.reconcile(ReconcileCommand())
    assert summary.complete and len(summary.failures) == 1 and "not in the catalog" in summary.failures[0][1]
    assert world.failed_events()[0].id == summary.failures[0][0]
    assert (await world.reconcile(ReconcileCommand())).recovered == ()  # stored, replayable: not missing


async def test_a_sale_that_failed_as_unconfirmed_is_recovered_once_gumroad_lists_it(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="a@example.com")
    event = await world.receive(sale.ping())
    world.store.events[event.id] = event.__class__(**{
        **{f: getattr(event, f) for f in event.__dataclass_fields__},
        "status": EventStatus.FAILED, "outcome": "unconfirmed: gumroad does not know sale", "kind": "sale",
        "external_id": sale.id,
    })
    world.store.licenses.clear()
    summary = await world.reconcile(ReconcileCommand())
    assert [f.kind for f in summary.recovered] == ["sale"] and len(world.licenses()) == 1


async def test_a_dry_run_changes_nothing(world, fake_gumroad):
    fake_gumroad.add_sale(product_id=PRO, email="a@example.com", refunded=True)
    summary = await world.reconcile(ReconcileCommand(dry_run=True))
    assert summary.dry_run and len(summary.recovered) == 1 and len(summary.lifecycle) == 1
    assert summary.recovered[0].event_id is None
    assert world.store.events == {} and world.licenses() == [] and world.store.points == {}


async def test_the_first_run_reads_thirty_days_and_later_runs_start_from_the_point_less_the_overlap(world, fake_gumroad):
    await world.reconcile(ReconcileCommand())
    assert fake_gumroad.requests[-1][1]["after"] == (world.clock.now() - FIRST_RUN).date().isoformat()
    started = world.clock.now()
    assert world.store.points["gumroad"].reconciled_to == started
    world.clock.advance(days=10)
    await world.reconcile(ReconcileCommand())
    assert fake_gumroad.requests[-1][1]["after"] == (started - OVERLAP).date().isoformat()


async def test_since_overrides_the_stored_point(world, fake_gumroad):
    old = fake_gumroad.add_sale(product_id=PRO, email="old@example.com", ago=timedelta(days=60))
    await world.reconcile(ReconcileCommand())
    assert by_order(world, old.id) == []
    summary = await world.reconcile(ReconcileCommand(since=(fake_gumroad.now - timedelta(days=61)).date()))
    assert [f.sale_id for f in summary.recovered] == [old.id]


async def test_a_run_that_stops_midway_resumes_from_its_last_completed_page(world, fake_gumroad):
    sales = [fake_gumroad.add_sale(product_id=PRO, email=f"b{i}@example.com", ago=timedelta(minutes=30 - i))
             for i in range(25)]
    fake_gumroad.script = ["ok", "500", "500"]  # page 1 answers; page 2 fails past the retries
    summary = await world.reconcile(ReconcileCommand())
    assert not summary.complete and "HTTP 500" in summary.error
    assert (summary.pages_read, len(summary.recovered)) == (1, 10)
    point = world.store.points["gumroad"]
    assert point.page_key is not None and point.reconciled_to is None
    failed_key = fake_gumroad.requests[-1][1]["page_key"]

    summary = await world.reconcile(ReconcileCommand())
    assert summary.complete and summary.resumed and (summary.pages_read, len(summary.recovered)) == (2, 15)
    first_after_resume = fake_gumroad.requests[-2][1]
    assert first_after_resume["page_key"] == failed_key == point.page_key
    assert sorted(x.order_id for x in world.licenses()) == sorted(s.id for s in sales)
    assert len(world.deliveries()) == 25
    assert world.store.points["gumroad"].page_key is None


async def test_a_run_killed_midway_resumes_and_mints_nothing_twice(world, fake_gumroad):
    import asyncio

    for i in range(15):
        fake_gumroad.add_sale(product_id=PRO, email=f"k{i}@example.com", ago=timedelta(minutes=30 - i))
    pages = []
    run = asyncio.ensure_future(world.reconcile(ReconcileCommand(progress=lambda p, s: pages.append(p))))
    fake_gumroad.script = ["ok", "hang"]  # the second page never answers: the process is killed
    for _ in range(200):
        if pages:
            break
        await asyncio.sleep(0.01)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert len(world.licenses()) == 10
    fake_gumroad.script = []
    summary = await world.reconcile(ReconcileCommand())
    assert summary.complete and summary.resumed and len(summary.recovered) == 5
    assert len(world.licenses()) == 15 and len(world.deliveries()) == 15


CLOUD = "Yh3qk7Rz0pL9mWx2Vb8cJA=="


async def test_membership_charges_already_pinged_are_neither_recovered_nor_refunded_twice(world, fake_gumroad):
    # The fold files a membership charge's events under its subscription: reconciliation
    # must find them there, or every run would "recover" each renewal again.
    first = fake_gumroad.add_sale(product_id=CLOUD, email="m@example.com", subscription_id="sub-1",
                                  variants={"Tier": "Pro"}, ago=timedelta(days=40))
    renewal = fake_gumroad.add_sale(product_id=CLOUD, email="m@example.com", subscription_id="sub-1",
                                    recurring_charge=True, variants={"Tier": "Pro"}, ago=timedelta(days=10))
    await world.receive(first.ping())
    await world.receive(renewal.ping())
    assert len(world.licenses()) == 1
    renewal.refunded = True
    await world.receive(renewal.ping("refund"))
    [lic] = world.licenses()
    assert lic.status is LicenseStatus.REVOKED
    events = len(world.store.events)

    summary = await world.reconcile(ReconcileCommand(since=(fake_gumroad.now - timedelta(days=60)).date()))
    assert summary.complete and summary.sales_seen == 2
    assert summary.recovered == () and summary.lifecycle == ()
    assert len(world.store.events) == events and len(world.licenses()) == 1


async def test_a_missed_renewal_is_recovered_onto_its_subscriptions_license(world, fake_gumroad):
    first = fake_gumroad.add_sale(product_id=CLOUD, email="m@example.com", subscription_id="sub-2",
                                  variants={"Tier": "Pro"}, ago=timedelta(days=40))
    renewal = fake_gumroad.add_sale(product_id=CLOUD, email="m@example.com", subscription_id="sub-2",
                                    recurring_charge=True, variants={"Tier": "Pro"}, ago=timedelta(days=10))
    await world.receive(first.ping())
    summary = await world.reconcile(ReconcileCommand(since=(fake_gumroad.now - timedelta(days=60)).date()))
    assert [(f.sale_id, f.kind) for f in summary.recovered] == [(renewal.id, "sale")]
    assert len(world.licenses()) == 1 and len(world.deliveries()) == 1
    again = await world.reconcile(ReconcileCommand(since=(fake_gumroad.now - timedelta(days=60)).date()))
    assert again.recovered == () and again.lifecycle == ()
