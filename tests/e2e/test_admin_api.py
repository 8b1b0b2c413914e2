"""The admin API: every answer is checked against the OpenAPI document."""

import asyncio

import pytest

from tests.bodies import refund_body, sale_body
from tests.conftest import ADMIN_TOKEN, gumroad_body


async def a_license(service, **changes):
    assert (await service.post_sale(sale_body(**changes))).status == 200
    licenses = await service.licenses()
    return licenses[-1] if not changes else next(x for x in licenses if x.order_id == changes.get("sale_id", x.order_id))


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {ADMIN_TOKEN}"},
    {"Authorization": ADMIN_TOKEN}, {"Authorization": "Bearer "},
])
@pytest.mark.parametrize("path", ["/admin/licenses", "/admin/events", "/admin/nothing-here", "/admin"])
async def test_anything_but_a_configured_bearer_token_gets_401_with_no_detail(service, headers, path):
    response = await service.client.get(path, headers=headers)
    assert response.status == 401
    assert await response.json() == {"error": "unauthorized", "message": "unauthorized"}


async def test_every_configured_token_works_for_rotation(service):
    status, _ = await service.call("GET", "/admin/licenses", token="old-token-0123456789abcdef")
    assert status == 200


async def test_licenses_are_listed_filtered_and_paged(service):
    for i in range(5):
        await service.post_sale(sale_body(sale_id=f"s{i}==", email=f"b{i % 2}@example.com"))
    await service.post_sale(sale_body(sale_id="t==", test="true"))
    seen, cursor = [], None
    while True:
        status, page = await service.call("GET", "/admin/licenses?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200 and len(page["items"]) <= 2
        seen += [x["order_id"] for x in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted([f"s{i}==" for i in range(5)] + ["t=="]) and len(seen) == 6
    _, by_email = await service.call("GET", "/admin/licenses?email=B1@example.com")
    assert sorted(x["order_id"] for x in by_email["items"]) == ["s1==", "s3=="]
    _, tests = await service.call("GET", "/admin/licenses?test=true&status=active&product=acmesoft-pro&source=gumroad")
    assert [x["order_id"] for x in tests["items"]] == ["t=="]
    _, none = await service.call("GET", "/admin/licenses?created_to=2000-01-01T00:00:00Z")
    assert none["items"] == [] and none["next_cursor"] is None


@pytest.mark.parametrize(("query", "field"), [
    ("status=gone", "status"), ("test=yes", "test"), ("created_from=yesterday", "created_from"),
    ("created_from=2026-01-01T00:00:00", "created_from"), ("limit=0", "limit"), ("limit=x", "limit"),
    ("limit=1000", "limit"), ("cursor=%%%", "cursor"), ("cursor=bm90IGpzb24", "cursor"),
])
async def test_bad_list_parameters_are_422_naming_the_field(service, query, field):
    status, body = await service.call("GET", f"/admin/licenses?{query}")
    assert status == 422 and f"'{field}'" in body["message"] and body["error"] == "invalid_input"


async def test_show_a_license_with_history_and_deliveries(service):
    lic = await a_license(service)
    await service.wait_for_emails(1)

    for _ in range(100):  # the worker records "sent" just after the file is written
        if [d.status for d in await service.deliveries()] == ["sent"]:
            break
        await asyncio.sleep(0.05)
    status, detail = await service.call("GET", f"/admin/licenses/{lic.id}")
    assert status == 200 and detail["key"] == lic.key and detail["email"] == "jane.doe@example.com"
    assert [h["to"] for h in detail["history"]] == ["active"]
    [delivery] = detail["deliveries"]
    assert delivery["status"] == "sent" and delivery["attempt_log"][0]["outcome"] == "sent"


async def test_unknown_ids_are_404_naming_them(service):
    for method, path in [("GET", "/admin/licenses/lic_nope"), ("GET", "/admin/events/evt_nope"),
                         ("POST", "/admin/events/evt_nope/replay"), ("POST", "/admin/licenses/lic_nope/resend"),
                         ("POST", "/admin/deliveries/dlv_nope/retry")]:
        status, body = await service.call(method, path)
        assert status == 404 and "_nope" in body["message"]
    status, body = await service.call("POST", "/admin/licenses/lic_nope/revoke", json={"reason": "x"})
    assert status == 404


async def test_revoke_and_reinstate_record_the_admin_and_refuse_repeats(service):
    lic = await a_license(service)
    status, revoked = await service.call("POST", f"/admin/licenses/{lic.id}/revoke", json={"reason": "chargeback by phone"})
    assert status == 200 and (revoked["status"], revoked["status_reason"]) == ("revoked", "chargeback by phone")
    status, again = await service.call("POST", f"/admin/licenses/{lic.id}/revoke", json={"reason": "again"})
    assert status == 409 and "is revoked" in again["message"]
    status, _ = await service.call("POST", f"/admin/licenses/{lic.id}/reinstate", json={"reason": "resolved"})
    assert status == 200
    _, detail = await service.call("GET", f"/admin/licenses/{lic.id}")
    assert [(h["to"], h["actor_type"], h["actor_id"]) for h in detail["history"][1:]] == [
        ("revoked", "admin", "alice"), ("active", "admin", "alice")]


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": 5}, [1]])
async def test_a_status_change_needs_a_reason(service, body):
    lic = await a_license(service)
    status, answer = await service.call("POST", f"/admin/licenses/{lic.id}/suspend", json=body)
    assert status == 422 and ("reason" in answer["message"] or "body" in answer["message"])


async def test_manual_mint_validates_like_the_catalog_and_is_idempotent_by_order_id(service):
    request = {"product": "acmesoft-cloud", "tier": "pro", "email": "vip@example.com", "seats": 3,
               "licensee": "VIP Corp", "order_id": "deal-42"}
    status, lic = await service.call("POST", "/admin/licenses", json=request)
    assert status == 201 and (lic["source"], lic["seats"], lic["tier"]) == ("manual", 3, "pro")
    status, again = await service.call("POST", "/admin/licenses", json=request)
    assert status == 200 and again["id"] == lic["id"]
    await service.wait_for_emails(1)
    _, detail = await service.call("GET", f"/admin/licenses/{lic['id']}")
    assert detail["history"][0]["actor_id"] == "alice" and len(detail["deliveries"]) == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"product": "nope"}, "product"), ({"tier": "gold"}, "tier"), ({"email": "not-an-email"}, "email"),
    ({"seats": 0}, "seats"), ({"seats": "3"}, "seats"), ({"test": "yes"}, "test"), ({"email": None}, "email"),
])
async def test_manual_mint_rejects_bad_input_naming_the_field(service, change, field):
    request = {"product": "acmesoft-cloud", "tier": "pro", "email": "vip@example.com", **change}
    request = {k: v for k, v in request.items() if v is not None}
    status, body = await service.call("POST", "/admin/licenses", json=request)
    assert status == 422 and f"'{field}'" in body["message"]


async def test_resend_one_license(service):
    lic = await a_license(service)
    await service.wait_for_emails(1)
    status, body = await service.call("POST", f"/admin/licenses/{lic.id}/resend")
    assert status == 202 and body == {"queued": 1}
    await service.wait_for_emails(2)
    await service.post_sale(refund_body())
    status, body = await service.call("POST", f"/admin/licenses/{lic.id}/resend")
    assert status == 409 and "revoked" in body["message"]


async def test_events_list_show_with_raw_body_and_replay(service):
    await service.post_sale(sale_body(product_id="LATER=="))
    _, failed = await service.call("GET", "/admin/events?status=failed&source=gumroad")
    [event] = failed["items"]
    status, shown = await service.call("GET", f"/admin/events/{event['id']}")
    assert status == 200 and "LATER" in shown["body"] and shown["body_base64"]
    status, replayed = await service.call("POST", f"/admin/events/{event['id']}/replay")
    assert status == 200 and replayed["status"] == "failed" and replayed["attempts"] == 2
    _, by_kind = await service.call("GET", "/admin/events?kind=sale")
    assert len(by_kind["items"]) == 1


async def test_replay_failed_after_fixing_the_catalog_mints_once_and_twice_changes_nothing(start_service, sqlite_url, tmp_path):
    from tests.conftest import ROOT

    catalog = tmp_path / "products.yaml"
    catalog.write_text((ROOT / "config/products.yaml").read_text().replace('"32-nPAicqbLj8B_WswVlMw=="', '"OTHER=="'))
    before = await start_service(sqlite_url, worker=False, PRODUCTS_FILE=str(catalog))
    await before.post_sale(gumroad_body("01_sale_licensed_basic"))
    await before.post_sale(gumroad_body("01_sale_licensed_basic"))
    assert await before.licenses() == []

    fixed = await start_service(sqlite_url, worker=False)  # the shipped catalog maps it
    status, summary = await fixed.call("POST", "/admin/events/replay-failed", json={})
    assert status == 200 and (summary["replayed"], summary["processed"], summary["still_failed"]) == (2, 2, 0)
    assert len(await fixed.licenses()) == 1 and len(await fixed.deliveries()) == 1
    status, summary = await fixed.call("POST", "/admin/events/replay-failed")
    assert summary["replayed"] == 0 and len(await fixed.licenses()) == 1


async def test_deliveries_list_and_retry_a_dead_one(start_service, sqlite_url):
    from ports.mailer import SendOutcome, SendResult
    from tests.fakes import RecordingMailer

    mailer = RecordingMailer(script=[SendResult(outcome=SendOutcome.PERMANENT_RECIPIENT, detail="406 inactive")])
    service = await start_service(sqlite_url, overrides={"mailer": mailer})
    await service.post_sale(sale_body())
    for _ in range(100):
        _, dead = await service.call("GET", "/admin/deliveries?status=dead")
        if dead["items"]:
            break
        import asyncio
        await asyncio.sleep(0.05)
    [delivery] = dead["items"]
    assert "406" in delivery["last_error"]
    status, retried = await service.call("POST", f"/admin/deliveries/{delivery['id']}/retry")
    assert status == 200 and retried["status"] == "pending" and retried["attempts"] == 0
    status, again = await service.call("POST", f"/admin/deliveries/{delivery['id']}/retry")
    assert status in (200, 409)
    for _ in range(100):
        _, sent = await service.call("GET", "/admin/deliveries?status=sent")
        if sent["items"]:
            break
        await asyncio.sleep(0.05)
    assert [d["id"] for d in sent["items"]] == [delivery["id"]] and len(mailer.sent) == 1
    status, body = await service.call("POST", f"/admin/deliveries/{delivery['id']}/retry")
    assert status == 409 and "is sent" in body["message"]


async def test_the_public_api_answers_match_the_document(service):
    lic = await a_license(service)
    assert (await service.call("GET", "/health", token=None))[0] == 200
    assert (await service.call("GET", "/ready", token=None))[0] == 200
    assert (await service.call("GET", "/v1/keys", token=None))[0] == 200
    assert (await service.call("POST", "/v1/licenses/validate", token=None, json={"key": lic.key}))[0] == 200
    assert (await service.call("POST", "/v1/licenses/validate", token=None, json={}))[0] == 400
    assert (await service.call("POST", "/v1/licenses/resend", token=None, json={"email": "x@example.com"}))[0] == 202
    status, document = await service.call("GET", "/openapi.json", token=None)
    assert status == 200 and document["openapi"] == "3.1.0"
