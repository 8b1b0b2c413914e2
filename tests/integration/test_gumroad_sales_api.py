"""GumroadSalesApi against the fake Sales API: paging, unlisted kinds, and every error
shape Gumroad's code produces."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from adapters.gumroad.sales_api import GumroadSalesApi
from ports.sales_api import SalesApiRefused, SalesApiUnavailable
from tests.support.fake_gumroad import NO_SCOPE_TOKEN, TOKEN

PRODUCT = "32-nPAicqbLj8B_WswVlMw=="


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
async def api(fake_gumroad):
    sleeps = Sleeps()
    client = GumroadSalesApi(TOKEN, fake_gumroad.url, timeout_seconds=0.5, retries=2, sleep=sleeps)
    client.sleeps = sleeps
    yield client
    await client.close()


def _add(fake, n: int, **fields):
    """n sales, recorded oldest first as Gumroad's ids grow; returned newest first."""
    made = [fake.add_sale(product_id=PRODUCT, email=f"buyer{i}@example.com", ago=timedelta(minutes=i + 1), **fields)
            for i in reversed(range(n))]
    return made[::-1]


def _since(fake) -> date:
    return (fake.now - timedelta(days=2)).date()


async def test_exactly_ten_sales_come_on_one_page_without_a_cursor(api, fake_gumroad):
    _add(fake_gumroad, 10)
    page = await api.list_sales(after=_since(fake_gumroad))
    assert len(page.sales) == 10 and page.next_page_key is None
    assert len(fake_gumroad.requests) == 1


async def test_eleven_sales_come_on_two_pages_newest_first(api, fake_gumroad):
    sales = _add(fake_gumroad, 11)
    first = await api.list_sales(after=_since(fake_gumroad))
    assert [s.id for s in first.sales] == [s.id for s in sales[:10]]
    assert first.next_page_key == sales[9].created_at.strftime("%Y%m%d%H%M%S") + f"000000-{sales[9].order_id}"
    second = await api.list_sales(after=_since(fake_gumroad), page_key=first.next_page_key)
    assert [s.id for s in second.sales] == [sales[10].id] and second.next_page_key is None
    assert fake_gumroad.requests[1][1]["page_key"] == first.next_page_key
    assert fake_gumroad.requests[1][1]["after"] == _since(fake_gumroad).isoformat()


async def test_after_is_inclusive_from_utc_midnight(api, fake_gumroad):
    old = fake_gumroad.add_sale(product_id=PRODUCT, email="old@example.com", ago=timedelta(days=5))
    page = await api.list_sales(after=old.created_at.date())
    assert [s.id for s in page.sales] == [old.id]
    page = await api.list_sales(after=old.created_at.date() + timedelta(days=1))
    assert page.sales == ()


async def test_unlisted_kinds_are_not_listed_but_are_found_by_id(api, fake_gumroad):
    listed = fake_gumroad.add_sale(product_id=PRODUCT, email="a@example.com")
    trial = fake_gumroad.add_sale(product_id=PRODUCT, email="t@example.com", price=0, state="free_trial", refunded=None)
    hidden = [
        fake_gumroad.add_sale(product_id=PRODUCT, email="seller@example.com", state="test_successful"),
        fake_gumroad.add_sale(product_id=PRODUCT, email="p@example.com", state="preorder_auth"),
        fake_gumroad.add_sale(product_id=PRODUCT, email="f@example.com", state="failed"),
    ]
    sender, receiver = fake_gumroad.add_gift(product_id=PRODUCT, gifter="g@example.com", giftee="r@example.com")
    page = await api.list_sales(after=_since(fake_gumroad))
    assert {s.id for s in page.sales} == {listed.id, trial.id, sender.id}
    gift = next(s for s in page.sales if s.id == sender.id)
    assert gift.is_gift_sender_purchase and gift.giftee_email == "r@example.com"
    assert gift.purchase_email == "g@example.com" and gift.price_cents == 2900
    assert next(s for s in page.sales if s.id == trial.id).refunded is False  # key absent: not refunded
    for sale in [*hidden, receiver]:
        found = await api.get_sale(sale.id)
        assert found is not None and found.id == sale.id


async def test_an_unknown_sale_is_none(api, fake_gumroad):
    assert await api.get_sale("bm90LWEtcmVhbC1zYWxlLWlk") is None


async def test_401_with_an_empty_body_is_a_refusal_naming_the_token(fake_gumroad):
    api = GumroadSalesApi("wrong-token", fake_gumroad.url)
    with pytest.raises(SalesApiRefused, match="401.*GUMROAD_ACCESS_TOKEN"):
        await api.list_sales(after=_since(fake_gumroad))
    await api.close()


async def test_403_with_an_empty_body_is_a_refusal_naming_the_scope(fake_gumroad):
    api = GumroadSalesApi(NO_SCOPE_TOKEN, fake_gumroad.url)
    with pytest.raises(SalesApiRefused, match="403.*view_sales"):
        await api.get_sale("anything")
    await api.close()


async def test_the_token_never_appears_in_an_error(api, fake_gumroad):
    fake_gumroad.script = ["500", "500", "500"]
    with pytest.raises(SalesApiUnavailable) as caught:
        await api.list_sales(after=_since(fake_gumroad))
    assert TOKEN not in str(caught.value)


async def test_http_200_with_success_false_is_an_error(api, fake_gumroad):
    fake_gumroad.script = ["success-false"]
    with pytest.raises(SalesApiRefused, match="success:false"):
        await api.list_sales(after=_since(fake_gumroad))


async def test_a_400_reads_gumroads_other_error_envelope(api, fake_gumroad):
    with pytest.raises(SalesApiRefused, match="Invalid page_key"):
        await api.list_sales(after=_since(fake_gumroad), page_key="20250101000000000000-0")


async def test_429_is_retried_after_the_time_retry_after_gives(api, fake_gumroad):
    _add(fake_gumroad, 1)
    fake_gumroad.script = ["429:7"]
    page = await api.list_sales(after=_since(fake_gumroad))
    assert len(page.sales) == 1 and api.sleeps.waits == [7.0]


async def test_500_is_retried_with_backoff(api, fake_gumroad):
    _add(fake_gumroad, 1)
    fake_gumroad.script = ["500", "500"]
    page = await api.list_sales(after=_since(fake_gumroad))
    assert len(page.sales) == 1 and api.sleeps.waits == [1.0, 2.0]


async def test_500_that_lasts_is_unavailable_after_the_retries(api, fake_gumroad):
    fake_gumroad.script = ["500"] * 3
    with pytest.raises(SalesApiUnavailable, match="HTTP 500 after 3 tries"):
        await api.list_sales(after=_since(fake_gumroad))


async def test_a_hang_past_the_timeout_is_retried_then_unavailable(api, fake_gumroad):
    fake_gumroad.script = ["hang"] * 3
    with pytest.raises(SalesApiUnavailable, match="timed out"):
        await api.get_sale("anything")
    assert len(fake_gumroad.requests) == 3


async def test_a_hang_then_an_answer_is_a_retry_that_works(api, fake_gumroad):
    sale = _add(fake_gumroad, 1)[0]
    fake_gumroad.script = ["hang"]
    assert (await api.get_sale(sale.id)).purchase_email == sale.email
