"""Many pings at once, on SQLite and PostgreSQL: nothing lost, nothing doubled."""

import asyncio
from urllib.parse import quote

from tests.conftest import gumroad_body

SALE = gumroad_body("01_sale_licensed_basic")


def distinct_sale(i: int) -> bytes:
    return SALE.replace(b"FO8TXN-dbxYaBdahG97Y-Q", quote(f"concurrent-{i:03d}").encode()).replace(
        b"jane.doe%40example.com", f"buyer{i}%40example.com".encode())


async def test_fifty_identical_pings_at_once_make_one_license_one_email_fifty_events(service):
    responses = await asyncio.gather(*(service.post_sale(SALE) for _ in range(50)))
    assert [r.status for r in responses] == [200] * 50
    assert len(await service.events()) == 50
    assert all(e.status == "processed" for e in await service.events())
    assert len(await service.licenses()) == 1
    assert len(await service.deliveries()) == 1
    await service.wait_for_emails(1)
    await asyncio.sleep(1.2)  # a worker poll later, still one
    assert len(service.emails()) == 1


async def test_fifty_different_sales_at_once_make_fifty_licenses_and_fifty_emails(service):
    responses = await asyncio.gather(*(service.post_sale(distinct_sale(i)) for i in range(50)))
    assert [r.status for r in responses] == [200] * 50
    licenses = await service.licenses()
    assert len(licenses) == 50 and len({lic.order_id for lic in licenses}) == 50
    assert len(await service.deliveries()) == 50
    emails = await service.wait_for_emails(50, timeout=20)
    assert len(emails) == 50
    assert {e.name.split(".")[0] for e in emails} == {d.id for d in await service.deliveries()}
