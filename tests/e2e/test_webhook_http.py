"""The Gumroad webhook over HTTP, on SQLite and PostgreSQL."""

import logging
import re

import pytest

from adapters.signing.verifier import verify
from entrypoints.logs import quiet_leaky_loggers
from adapters.sql.engine import create_engine
from adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from tests.conftest import WEBHOOK_SECRET, broken_sqlite_url, gumroad_body
from tests.fakes import RecordingMailer
from tests.bodies import sale_body
from ports.mailer import SendOutcome, SendResult

SALE = gumroad_body("01_sale_licensed_basic")
KEY = re.compile(r"LIC1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def comparable(response, body):
    # X-Request-Id is new for every request, hidden route or not.
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("date", "x-request-id")}
    return response.status, headers, body


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("query", ["?secret=wrong", "", "?secret=", f"?secret={WEBHOOK_SECRET}x", "?other=1"])
async def test_a_wrong_or_missing_secret_looks_exactly_like_a_missing_route(service, method, query):
    hidden = await service.client.request(method, f"/webhooks/gumroad{query}", data=SALE)
    absent = await service.client.request(method, f"/no/such/path{query}", data=SALE)
    assert comparable(hidden, await hidden.read()) == comparable(absent, await absent.read())
    assert hidden.status == 404
    assert await service.events() == []


async def test_head_with_a_wrong_secret_is_a_404_like_any_unknown_path(service):
    hidden = await service.client.head("/webhooks/gumroad?secret=nope")
    absent = await service.client.head("/elsewhere")
    assert comparable(hidden, b"") == comparable(absent, b"")


async def test_a_sale_is_stored_minted_and_emailed_with_a_key_that_verifies(service):
    response = await service.post_sale(SALE)
    assert response.status == 200
    [event] = await service.events()
    assert bytes(event.body) == SALE and event.status == "processed"
    [lic] = await service.licenses()
    assert (lic.product, lic.email, lic.status) == ("acmesoft-pro", "jane.doe@example.com", "active")
    [eml] = await service.wait_for_emails(1)
    keys = set(KEY.findall(eml.read_text()))
    assert keys == {lic.key}
    published = [k.public_key for k in service.container.signer().published]
    assert verify(lic.key, published).valid


async def test_every_configured_secret_is_accepted_for_rotation(service):
    assert (await service.post_sale(SALE, secret="second-secret-0123456789")).status == 200
    assert len(await service.licenses()) == 1


async def test_the_right_secret_with_the_wrong_method_is_405(service):
    response = await service.client.get(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}")
    assert response.status == 405 and response.headers["Allow"] == "POST"


async def test_duplicate_and_retried_pings_make_no_second_license_or_email(service):
    for body in (SALE, SALE, SALE + b"&retry_count=1", SALE + b"&retry_count=3"):
        assert (await service.post_sale(body)).status == 200
    assert len(await service.licenses()) == 1
    assert len(await service.deliveries()) == 1
    assert len(await service.events()) == 4
    await service.wait_for_emails(1)
    outcomes = [e.outcome for e in await service.events()]
    assert sum(o.startswith("duplicate of lic_") for o in outcomes) == 3


async def test_an_unmapped_product_is_stored_and_failed_with_the_product_named(service):
    response = await service.post_sale(sale_body(product_id="ZZZ==", product_name="Other"))
    assert response.status == 200
    [event] = await service.events()
    assert event.status == "failed" and "'ZZZ=='" in event.outcome
    assert await service.licenses() == []


async def test_a_malformed_body_is_stored_and_failed_with_a_readable_reason(service):
    body = b"this is \xff not a gumroad form"
    response = await service.post_sale(body)
    assert response.status == 200
    [event] = await service.events()
    assert bytes(event.body) == body and event.status == "failed" and "UTF-8" in event.outcome


async def test_the_test_ping_button_is_recorded_and_mints_nothing(service):
    response = await service.post_sale(gumroad_body("05_settings_send_test_ping"))
    assert response.status == 200
    [event] = await service.events()
    assert event.status == "processed" and event.outcome.startswith("test ping validated")
    assert await service.licenses() == [] and await service.deliveries() == []


async def test_a_body_over_64_kib_is_refused_with_413_before_storage(service):
    response = await service.post_sale(SALE + b"&pad=" + b"x" * 70_000)
    assert response.status == 413
    assert await service.events() == []


async def test_a_chunked_body_over_the_limit_is_refused_too(service):
    async def chunks():
        for _ in range(20):
            yield b"x" * 5000

    response = await service.post_sale(chunks())
    assert response.status == 413
    assert await service.events() == []


async def test_health_and_ready_answer(service):
    assert (await service.client.get("/health")).status == 200
    ready = await service.client.get("/ready")
    assert ready.status == 200 and (await ready.json())["status"] == "ready"


async def test_the_secret_and_the_key_never_reach_a_log_line(service, caplog):
    caplog.set_level(logging.DEBUG)
    quiet_leaky_loggers()  # as the CLI does, whatever LOG_LEVEL says
    await service.post_sale(SALE)
    await service.client.get("/webhooks/gumroad?secret=guessing-secret-xyz")
    await service.wait_for_emails(1)
    [lic] = await service.licenses()
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert WEBHOOK_SECRET not in text and "guessing-secret-xyz" not in text
    assert lic.key not in text and lic.key.split(".")[3] not in text
    assert "/webhooks/gumroad" in text  # the access log did run


async def test_storage_down_answers_503_so_gumroad_retries(start_service, sqlite_url, tmp_path):
    broken = SqlUnitOfWorkFactory(create_engine(broken_sqlite_url(tmp_path)))
    service = await start_service(sqlite_url, overrides={"uow": broken})
    response = await service.post_sale(SALE)
    assert response.status == 503 and response.headers["Retry-After"]
    broken.dispose()
    await broken.engine.dispose()


async def test_ready_is_503_when_the_database_is_unreachable(start_service, sqlite_url, tmp_path):
    engine = create_engine(broken_sqlite_url(tmp_path))
    service = await start_service(sqlite_url, worker=False, overrides={"engine": engine})
    response = await service.client.get("/ready")
    assert response.status == 503


async def test_a_failing_mailer_leaves_the_license_intact_and_the_delivery_retryable(start_service, database_url):
    mailer = RecordingMailer(script=[SendResult(outcome=SendOutcome.TRANSIENT, detail="connection refused")])
    service = await start_service(database_url, overrides={"mailer": mailer})
    assert (await service.post_sale(SALE)).status == 200
    for _ in range(100):
        [delivery] = await service.deliveries()
        if delivery.last_error:  # the attempt is claimed first, its result recorded after
            break
        import asyncio

        await asyncio.sleep(0.05)
    assert delivery.status == "pending" and "connection refused" in delivery.last_error
    assert delivery.next_attempt_at > delivery.created_at
    [lic] = await service.licenses()
    assert lic.status == "active"
