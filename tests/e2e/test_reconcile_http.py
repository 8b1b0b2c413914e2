"""Reconciliation and confirmation through the real app, worker and database, against the
fake Sales API on a real port."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.bodies import sale_body
from tests.support.fake_gumroad import TOKEN

PRO = "32-nPAicqbLj8B_WswVlMw=="
CLOUD = "Yh3qk7Rz0pL9mWx2Vb8cJA=="


def gumroad_env(fake, **more):
    return {"GUMROAD_ACCESS_TOKEN": TOKEN, "GUMROAD_API_URL": fake.url, **more}


async def wait_until(check, timeout: float = 10.0):
    for _ in range(int(timeout / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")


async def test_a_forged_ping_is_answered_200_and_mints_nothing(start_service, database_url, fake_gumroad):
    service = await start_service(database_url, **gumroad_env(fake_gumroad, RECONCILE_EVERY="0"))
    response = await service.post_sale(sale_body())
    assert response.status == 200
    [event] = await service.events()
    assert event.status == "failed" and event.outcome.startswith("unconfirmed")
    assert await service.licenses() == [] and await service.deliveries() == []
    status, listed = await service.call("GET", "/admin/events?status=failed")
    assert status == 200 and listed["items"][0]["origin"] == "webhook"


async def test_a_ping_while_gumroad_is_down_waits_then_the_worker_mints_it(start_service, database_url, fake_gumroad):
    sale = fake_gumroad.add_sale(product_id=PRO, email="buyer@example.com")
    fake_gumroad.script = ["500"] * 8
    service = await start_service(database_url, **gumroad_env(fake_gumroad, RECONCILE_EVERY="0"))
    response = await service.post_sale(sale.ping())
    assert response.status == 200
    [event] = await service.events()
    assert event.status == "pending confirmation" and await service.licenses() == []
    status, listed = await service.call("GET", "/admin/events?status=pending%20confirmation")
    assert status == 200 and [e["id"] for e in listed["items"]] == [event.id]


async def test_sales_made_while_the_server_was_down_are_fulfilled_once(start_service, database_url, fake_gumroad):
    first = await start_service(database_url, **gumroad_env(fake_gumroad))
    await wait_until(lambda: _has_point(first))
    await first.client.close()  # the server is down

    plain = fake_gumroad.add_sale(product_id=PRO, email="plain@example.com", full_name="Plain Buyer",
                                  ago=timedelta(minutes=50))
    member = fake_gumroad.add_sale(product_id=CLOUD, email="member@example.com", ago=timedelta(minutes=40),
                                   variants={"Tier": "Pro"}, subscription_id="c3ViLWZha2UtMDAwMQ==")
    sender, receiver = fake_gumroad.add_gift(product_id=PRO, gifter="giver@example.com",
                                             giftee="lucky@example.com", ago=timedelta(minutes=30))
    fake_gumroad.add_sale(product_id=PRO, email="seller@example.com", state="test_successful")

    service = await start_service(database_url, **gumroad_env(fake_gumroad))  # reconciles at start
    emails = await service.wait_for_emails(3, timeout=15)
    licenses = await service.licenses()
    assert sorted(x.email for x in licenses) == ["lucky@example.com", "member@example.com", "plain@example.com"]
    assert sorted(x.order_id for x in licenses) == sorted([plain.id, member.id, sender.id])
    events = await service.events()
    assert {e.origin for e in events} == {"reconcile"} and {e.status for e in events} == {"processed"}

    for late in (plain.ping(), member.ping(), receiver.ping()):
        assert (await service.post_sale(late)).status == 200
    outcomes = [e.outcome for e in await service.events() if e.origin == "webhook"]
    assert len(outcomes) == 3 and all(o.startswith("duplicate of lic_") for o in outcomes), outcomes
    assert len(await service.licenses()) == 3 and len(await service.deliveries()) == 3
    await asyncio.sleep(0.3)  # give a wrongly queued email time to appear
    assert service.emails() == emails


async def _has_point(service) -> bool:
    from adapters.sql.tables import reconciliation

    return bool(await service.rows(reconciliation))


async def test_the_admin_reconcile_answers_with_the_summary(start_service, database_url, fake_gumroad):
    service = await start_service(database_url, worker=False, **gumroad_env(fake_gumroad))
    sale = fake_gumroad.add_sale(product_id=PRO, email="a@example.com", refunded=True)
    status, dry = await service.call("POST", "/admin/reconcile", json={"dry_run": True})
    assert status == 200 and dry["dry_run"] and dry["complete"] and dry["recovered"][0]["event_id"] is None
    status, body = await service.call("POST", "/admin/reconcile", json={"since": (fake_gumroad.now - timedelta(days=1)).date().isoformat()})
    assert status == 200 and body["complete"] and body["pages_read"] == 1 and body["sales_seen"] == 1
    assert [(f["sale_id"], f["kind"]) for f in body["recovered"]] == [(sale.id, "sale")]
    assert [(f["sale_id"], f["kind"]) for f in body["lifecycle"]] == [(sale.id, "refund")]
    [lic] = await service.licenses()
    assert lic.status == "revoked" and await service.deliveries() == []

    fake_gumroad.script = ["500"] * 4
    status, body = await service.call("POST", "/admin/reconcile", json={})
    assert status == 200 and not body["complete"] and "HTTP 500" in body["error"]
    status, body = await service.call("POST", "/admin/reconcile", json={"since": "June 1st"})
    assert status == 422 and "since" in body["message"]


async def test_the_admin_reconcile_without_a_token_says_so(start_service, database_url):
    service = await start_service(database_url, worker=False)
    status, body = await service.call("POST", "/admin/reconcile")
    assert status == 409 and "GUMROAD_ACCESS_TOKEN" in body["message"]


async def test_the_events_reconciliation_wrote_are_listed_by_origin(start_service, database_url, fake_gumroad):
    service = await start_service(database_url, worker=False, **gumroad_env(fake_gumroad))
    sale = fake_gumroad.add_sale(product_id=PRO, email="a@example.com")
    other = fake_gumroad.add_sale(product_id=PRO, email="b@example.com")
    await service.post_sale(other.ping())
    await service.call("POST", "/admin/reconcile")
    status, listed = await service.call("GET", "/admin/events?origin=reconcile")
    assert status == 200 and [(e["external_id"], e["origin"]) for e in listed["items"]] == [(sale.id, "reconcile")]
    status, listed = await service.call("GET", "/admin/events?origin=webhook")
    assert [e["external_id"] for e in listed["items"]] == [other.id]
    status, _ = await service.call("GET", "/admin/events?origin=carrier-pigeon")
    assert status == 422
