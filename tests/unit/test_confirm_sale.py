"""Confirmation: a sale ping mints only when Gumroad's Sales API knows the sale (memory
adapters; the fake Sales API through the real client)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.gumroad.parser import GumroadParser
from adapters.gumroad.sales_api import GumroadSalesApi
from core.domain.model import EventStatus, LicenseStatus, OutcomeCode
from core.usecases.confirm_sale import ConfirmSaleWithApi
from core.usecases.process_event import ProcessEvent
from core.usecases.retry_confirmations import RetryConfirmationsCommand, RetryPendingConfirmations, wait_after
from tests.bodies import sale_body
from tests.conftest import gumroad_body
from tests.support.fake_gumroad import TOKEN
from tests.unit.world import World

PRO = "32-nPAicqbLj8B_WswVlMw=="


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
async def world(fake_gumroad):
    w = World()
    w.clock.current = fake_gumroad.now
    w.api = GumroadSalesApi(TOKEN, fake_gumroad.url, timeout_seconds=0.3, retries=1, sleep=_no_sleep)
    w.process = ProcessEvent(
        uow=w.uow, parsers={"gumroad": GumroadParser()}, catalog=w.catalog, ledger=w.container.ledger(),
        clock=w.clock, confirmer=ConfirmSaleWithApi(sales=w.api, deadline_seconds=1.0),
    )
    w.retry = RetryPendingConfirmations(uow=w.uow, process=w.process, clock=w.clock)
    yield w
    await w.api.close()


def show_requests(fake):
    return [path for path, _ in fake.requests if path.startswith("/v2/sales/")]


async def test_a_forged_ping_for_a_sale_gumroad_does_not_know_mints_nothing(world, fake_gumroad):
    event = await world.receive(sale_body())
    assert event.status is EventStatus.FAILED and event.outcome.startswith("unconfirmed: ")
    assert event.outcome_code is OutcomeCode.UNCONFIRMED
    assert "does not know sale" in event.outcome
    assert world.licenses() == [] and world.deliveries() == []


async def test_a_known_sale_is_confirmed_and_minted(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="Buyer@Example.com")
    event = await world.receive(sale.ping(email="buyer@example.com"))  # emails compare case-insensitively
    assert event.status is EventStatus.PROCESSED and event.outcome.startswith("minted")
    assert show_requests(fake_gumroad) == [f"/v2/sales/{sale.id}"]


@pytest.mark.parametrize("change, problem", [
    ({"email": "thief@example.com"}, "another email address"),
    ({"price": "1"}, "cost 2900 cents, not 1"),
    ({"product_id": "Yh3qk7Rz0pL9mWx2Vb8cJA=="}, "is for product"),
])
async def test_a_ping_that_differs_from_gumroads_sale_is_unconfirmed(world, fake_gumroad, change, problem):
    sale = fake_gumroad.add_sale(product_id=PRO, email="buyer@example.com", price=2900)
    body = sale.ping()
    for key, value in change.items():
        body = body.replace(f"{key}=".encode() + _value(sale, key), f"{key}={value}".encode(), 1)
    event = await world.receive(body)
    assert event.status is EventStatus.FAILED and event.outcome.startswith("unconfirmed") and problem in event.outcome
    assert world.licenses() == []


def _value(sale, key):
    from urllib.parse import quote

    return quote({"email": sale.email, "price": str(sale.price), "product_id": sale.product_id}[key], safe="").encode()


async def test_when_gumroad_is_down_the_sale_waits_and_is_minted_once_it_answers(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="buyer@example.com")
    fake_gumroad.script = ["500", "500"]
    event = await world.receive(sale.ping())
    assert event.status is EventStatus.PENDING_CONFIRMATION and event.outcome.startswith("pending confirmation")
    assert event.outcome_code is OutcomeCode.PENDING_CONFIRMATION
    assert world.licenses() == []

    report = await world.retry(RetryConfirmationsCommand())
    assert report.retried == 0  # its wait is not over
    world.clock.advance(seconds=wait_after(1).total_seconds())
    fake_gumroad.script = ["500", "500"]
    report = await world.retry(RetryConfirmationsCommand())
    assert (report.retried, report.still_pending) == (1, 1)
    world.clock.advance(seconds=wait_after(1).total_seconds())
    assert (await world.retry(RetryConfirmationsCommand())).retried == 0  # the wait doubled
    world.clock.advance(seconds=wait_after(2).total_seconds())
    report = await world.retry(RetryConfirmationsCommand())
    assert (report.retried, report.confirmed) == (1, 1)
    [lic] = world.licenses()
    assert lic.order_id == sale.id and len(world.deliveries()) == 1


async def test_a_gumroad_that_hangs_past_the_deadline_leaves_the_sale_waiting(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="buyer@example.com")
    fake_gumroad.script = ["hang", "hang"]
    event = await world.receive(sale.ping())
    assert event.status is EventStatus.PENDING_CONFIRMATION and world.licenses() == []


async def test_a_refused_token_leaves_the_sale_waiting_not_failed(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="buyer@example.com")
    fake_gumroad.script = ["401"]
    event = await world.receive(sale.ping())
    assert event.status is EventStatus.PENDING_CONFIRMATION and "401" in event.outcome


async def test_the_send_test_ping_button_needs_no_confirmation_and_mints_nothing(world, fake_gumroad):
    event = await world.receive(gumroad_body("05_settings_send_test_ping"))
    assert event.status is EventStatus.PROCESSED and "nothing minted" in event.outcome
    assert fake_gumroad.requests == [] and world.licenses() == []


async def test_a_test_purchase_is_confirmed_like_any_sale(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="seller@example.com", state="test_successful")
    event = await world.receive(sale.ping())
    assert event.status is EventStatus.PROCESSED
    [lic] = world.licenses()
    assert lic.test and show_requests(fake_gumroad) == [f"/v2/sales/{sale.id}"]


async def test_a_gift_receivers_ping_is_confirmed_by_its_own_id(world, fake_gumroad):
    _, receiver = fake_gumroad.add_gift(product_id=PRO, gifter="giver@example.com", giftee="lucky@example.com")
    event = await world.receive(receiver.ping())
    assert event.status is EventStatus.PROCESSED
    assert [x.email for x in world.licenses()] == ["lucky@example.com"]


async def test_a_duplicate_ping_of_a_licensed_sale_asks_nothing(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="buyer@example.com")
    await world.receive(sale.ping())
    fake_gumroad.script = ["500", "500"]
    again = await world.receive(sale.ping())
    assert again.outcome.startswith("duplicate of") and len(show_requests(fake_gumroad)) == 1


async def test_refunds_are_not_confirmed_they_only_change_what_exists(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="buyer@example.com")
    await world.receive(sale.ping())
    sale.refunded = True
    event = await world.receive(sale.ping("refund"))
    assert event.status is EventStatus.PROCESSED and world.licenses()[0].status is LicenseStatus.REVOKED
    assert len(show_requests(fake_gumroad)) == 1


async def test_a_forged_giftee_ping_is_not_taken_for_the_real_gift_by_reconciliation(world, fake_gumroad):
    from adapters.gumroad.encoder import GumroadNoticeEncoder
    from core.usecases.reconcile import Reconcile, ReconcileCommand

    sender, receiver = fake_gumroad.add_gift(product_id=PRO, gifter="giver@example.com", giftee="lucky@example.com")
    del fake_gumroad.sales[receiver.internal_id]  # Gumroad never made this copy: the ping is forged
    forged = await world.receive(receiver.ping())
    assert forged.outcome.startswith("unconfirmed")
    reconcile = Reconcile(uow=world.uow, sales=world.api, parsers={"gumroad": GumroadParser()},
                          encoder=GumroadNoticeEncoder(), process=world.process, clock=world.clock, ids=world.ids)
    summary = await reconcile(ReconcileCommand())
    assert [(f.sale_id, f.kind) for f in summary.recovered] == [(sender.id, "sale")]
    assert [x.order_id for x in world.licenses()] == [sender.id]


async def test_with_confirmation_turned_off_a_waiting_sale_is_minted_unasked(world, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="buyer@example.com")
    fake_gumroad.script = ["500", "500"]
    assert (await world.receive(sale.ping())).status is EventStatus.PENDING_CONFIRMATION
    unasked = RetryPendingConfirmations(uow=world.uow, process=world.container.process_event(), clock=world.clock)
    world.clock.advance(minutes=1)
    asked_before = len(fake_gumroad.requests)
    assert (await unasked(RetryConfirmationsCommand())).confirmed == 1
    assert len(world.licenses()) == 1 and len(fake_gumroad.requests) == asked_before
