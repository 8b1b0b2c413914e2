"""Values the database cannot keep are the request's fault, not an outage: the same answer
on SQLite and PostgreSQL, never a 503 (issue 11, items 2-4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from adapters.sql.tables import events
from tests.bodies import sale_body
from tests.conftest import WEBHOOK_SECRET


async def only_event(service):
    [event] = await service.events()
    return event


@pytest.mark.parametrize(("changes", "field"), [
    # The fold looks the sale's license up by its order id (the sale id) first: that is the
    # field the store refuses.
    ({"sale_id": "S" * 201}, "order_id"),
    ({"full_name": "N" * 301}, "licensee"),
    ({"full_name": "Jane\x00Doe"}, "licensee"),
    ({"sale_id": "abc\x00def"}, "order_id"),
])
async def test_a_sale_with_a_value_the_store_cannot_keep_is_stored_and_fails_naming_the_field(
    service, changes, field
):
    response = await service.post_sale(sale_body(**changes))
    assert response.status == 200
    event = await only_event(service)
    assert event.status == "failed" and f"'{field}'" in event.outcome
    assert await service.licenses() == []


async def test_replaying_such_an_event_answers_with_the_failure_not_503(service):
    await service.post_sale(sale_body(sale_id="S" * 201))
    event = await only_event(service)
    status, body = await service.call("POST", f"/admin/events/{event.id}/replay")
    assert status == 200 and body["status"] == "failed" and "'order_id'" in body["outcome"]


async def test_bulk_replay_records_a_rejected_value_and_goes_on_to_the_next(service):
    await service.post_sale(sale_body(sale_id="S" * 201))
    await service.post_sale(sale_body(sale_id="good-one==", product_id="nope"))
    async with service.container.engine().begin() as conn:  # both old and stuck as received
        await conn.execute(sa.update(events).values(
            status="received", outcome=None, received_at=datetime.now(UTC) - timedelta(hours=1)))
    status, body = await service.call("POST", "/admin/events/replay-failed")
    assert status == 200 and body["replayed"] == 2 and body["still_failed"] == 2
    reasons = sorted(f["reason"] for f in body["failures"])
    assert "'order_id'" in reasons[0] and "nope" in reasons[1]
    assert {e.status for e in await service.events()} == {"failed"}


async def test_an_overlong_content_type_still_stores_the_body(service):
    response = await service.client.post(
        f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", data=sale_body(),
        headers={"Content-Type": "application/x-www-form-urlencoded; x=" + "y" * 400},
    )
    assert response.status == 200
    event = await only_event(service)
    assert bytes(event.body) == sale_body() and len(event.content_type) == 200
    assert event.status == "processed"


@pytest.mark.parametrize(("method", "path", "kwargs", "field"), [
    ("GET", "/admin/events/evt%00x", {}, "id"),
    ("GET", "/admin/licenses/lic%00x", {}, "id"),
    ("GET", "/admin/licenses?email=a%00b@example.com", {}, "email"),
    ("POST", "/admin/events/evt%00x/replay", {}, "id"),
    ("POST", "/admin/licenses", {"json": {"product": "acmesoft-pro", "email": "a@example.com",
                                          "licensee": "Jane\x00Doe"}}, "licensee"),
    ("POST", "/admin/licenses", {"json": {"product": "acmesoft-pro", "email": "a@example.com",
                                          "licensee": "L" * 301}}, "licensee"),
])
async def test_admin_requests_with_unstorable_values_are_422_naming_the_field(service, method, path, kwargs, field):
    status, body = await service.call(method, path, **kwargs)
    assert status == 422 and body["error"] == "invalid_input" and f"'{field}'" in body["message"]


async def test_a_nul_byte_in_a_resend_request_is_422_naming_the_field(service):
    status, body = await service.call("POST", "/v1/licenses/resend", token=None,
                                      json={"email": "jane\x00@example.com"})
    assert status == 422 and "'email'" in body["message"]
