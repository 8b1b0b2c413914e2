"""The use cases behind the console and the portal, on memory adapters."""

import pytest

from core.domain.activation import ActivationActor
from core.domain.errors import NotFound
from core.usecases.activate_machine import ActivateMachineCommand
from core.usecases.browse import ShowCommand
from core.usecases.find_license import FindLicenses, FindLicensesCommand
from core.usecases.license_page import LicensePage, Price
from core.usecases.overview import Overview, OverviewCommand
from core.usecases.portal import BuyerLicenses, BuyerLicensesCommand, BuyerReleaseCommand, BuyerReleaseMachine
from adapters.gumroad.parser import GumroadParser
from tests.bodies import sale_body
from tests.unit.test_activation import Machines


@pytest.fixture
async def world():
    w = Machines()
    await w.receive(sale_body(quantity="2"))
    return w


async def test_a_license_is_found_by_address_order_id_license_id_or_key(world):
    [lic] = world.licenses()
    find = FindLicenses(uow=world.uow, verifier=world.signer, clock=world.clock)
    for query in ("JANE.DOE@example.com", lic.order_id, lic.id, " " + lic.key + "\n"):
        assert [x.id for x in await find(FindLicensesCommand(query=query))] == [lic.id], query
    for query in ("", "nobody@example.com", "no-such-order", lic.key[:-4] + "AAAA"):
        assert await find(FindLicensesCommand(query=query)) == []


async def test_the_license_page_shows_the_price_the_sale_reported(world):
    [lic] = world.licenses()
    view = await LicensePage(uow=world.uow, parsers={"gumroad": GumroadParser()})(ShowCommand(id=lic.id))
    assert view.price == Price(cents=2900, currency="usd")
    assert view.detail.license == lic and len(view.detail.history) == 1
    with pytest.raises(NotFound):
        await LicensePage(uow=world.uow, parsers={})(ShowCommand(id="lic_nope"))


async def test_a_buyer_frees_a_seat_only_on_their_own_license(world):
    [lic] = world.licenses()
    result = await world.activate_uc(ActivateMachineCommand(key=lic.key, fingerprint="machine-0001-abcdef"))
    release = BuyerReleaseMachine(uow=world.uow, clock=world.clock)
    mine = BuyerLicenses(uow=world.uow)
    for email, activation in (("mallory@example.com", result.activation.id), ("jane.doe@example.com", "act_nope")):
        with pytest.raises(NotFound):
            await release(BuyerReleaseCommand(email=email, license_id=lic.id, activation_id=activation))
    [row] = await mine(BuyerLicensesCommand(email="Jane.Doe@example.com"))
    assert len(row.activations) == 1
    await release(BuyerReleaseCommand(email="JANE.doe@example.com", license_id=lic.id,
                                      activation_id=result.activation.id))
    [row] = await mine(BuyerLicensesCommand(email="jane.doe@example.com"))
    assert row.activations == []
    assert (await world.history(lic.id))[-1].actor_type is ActivationActor.BUYER
    assert await mine(BuyerLicensesCommand(email="mallory@example.com")) == []


async def test_the_overview_counts_todays_sales_and_the_outbox(world):
    view = await Overview(uow=world.uow, clock=world.clock)(OverviewCommand())
    assert (view.minted_today.n, view.sales_today.n, view.minted_week.n) == (1, 1, 1)
    assert view.outbox.n == 1 and view.oldest_pending_at is not None
    assert view.failed_events.n == 0 and view.dead_deliveries.n == 0
    await world.deliver_due()
    view = await Overview(uow=world.uow, clock=world.clock)(OverviewCommand())
    assert view.outbox.n == 0 and view.oldest_pending_at is None
