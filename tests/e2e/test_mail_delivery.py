"""From sale ping to a received email, through real mail peers, including outages."""

import asyncio
import re
import subprocess


from adapters.mail.postmark import PostmarkMailer
from core.domain.retry import RetryPolicy
from tests.conftest import ADMIN_TOKEN, WEBHOOK_SECRET, gumroad_body
from tests.e2e.test_concurrency import distinct_sale
from tests.e2e.test_server_process import LICENSEMINT, Server, env_for
from tests.support.fake_postmark import TOKEN
from tests.support.smtp_server import SmtpSink

KEY = re.compile(r"LIC1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
FAST_RETRIES = RetryPolicy(base_seconds=0.2, cap_seconds=0.4, max_attempts=200)


def key_in(message) -> str:
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    [key] = set(KEY.findall(text))
    return key


async def wait_until(predicate, timeout=15.0):
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_a_sale_to_a_running_server_ends_as_an_smtp_email_whose_key_verifies(tmp_path):
    sink = SmtpSink().start()
    try:
        server = Server(tmp_path, SMTP_URL=sink.url, MAIL_FROM="AcmeSoft <licenses@acmesoft.example>")
        try:
            assert f"smtp 127.0.0.1:{sink.port} (no TLS)" in "".join(server.banner)
            assert server.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", gumroad_body("01_sale_licensed_basic")) == 200
            asyncio.run(wait_until(lambda: sink.messages))
        finally:
            server.stop()
    finally:
        sink.stop()
    [message] = sink.messages
    assert message["To"] == "jane.doe@example.com" and "AcmeSoft Pro" in message["Subject"]
    verified = subprocess.run([LICENSEMINT, "verify", key_in(message)], cwd=tmp_path, env=env_for(tmp_path),
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr


async def test_a_sale_ends_as_a_postmark_message_whose_key_verifies(start_service, sqlite_url, fake_postmark):
    service = await start_service(sqlite_url, POSTMARK_TOKEN=TOKEN, POSTMARK_FROM="licenses@acmesoft.example",
                                  POSTMARK_API_URL=fake_postmark.url)
    assert (await service.post_sale(gumroad_body("01_sale_licensed_basic"))).status == 200
    await wait_until(lambda: fake_postmark.accepted)
    [sent] = fake_postmark.accepted
    [lic] = await service.licenses()
    assert set(KEY.findall(sent["TextBody"])) == {lic.key} and sent["From"] == "licenses@acmesoft.example"
    published = [k.public_key for k in service.container.signer().published]
    from adapters.signing.verifier import verify

    assert verify(lic.key, published).valid
    for _ in range(50):
        [delivery] = await service.deliveries()
        if delivery.status == "sent":
            break
        await asyncio.sleep(0.05)
    assert delivery.provider_message_id == sent["MessageID"]


async def test_a_postmark_timeout_after_acceptance_still_means_one_email(start_service, sqlite_url, fake_postmark):
    fake_postmark.script = ["accept-then-hang"]
    impatient = PostmarkMailer(TOKEN, "l@acmesoft.example", base_url=fake_postmark.url, timeout=0.5)
    service = await start_service(sqlite_url, overrides={"mailer": impatient, "retry_policy": FAST_RETRIES})
    assert (await service.post_sale(gumroad_body("01_sale_licensed_basic"))).status == 200

    async def sent():
        [d] = await service.deliveries()
        return d.status == "sent"

    for _ in range(200):
        if await sent():
            break
        await asyncio.sleep(0.05)
    assert await sent()
    assert len(fake_postmark.accepted) == 1 and fake_postmark.searches >= 1


async def test_a_bad_postmark_token_shows_in_health_and_spends_no_attempts(start_service, sqlite_url, fake_postmark):
    service = await start_service(sqlite_url, POSTMARK_TOKEN="not-the-token", POSTMARK_FROM="l@acmesoft.example",
                                  POSTMARK_API_URL=fake_postmark.url)
    assert (await service.post_sale(gumroad_body("01_sale_licensed_basic"))).status == 200
    for _ in range(100):
        public = await (await service.client.get("/health")).json()
        if public["status"] == "degraded":
            break
        await asyncio.sleep(0.05)
    assert public == {"status": "degraded"}  # the detail is not for everyone
    body = await (await service.client.get("/health", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})).json()
    assert body["mail"]["status"] == "configuration_error" and "ErrorCode 10" in body["mail"]["detail"]
    assert "not-the-token" not in str(body)
    [delivery] = await service.deliveries()
    assert delivery.status == "pending" and delivery.attempts == 0


async def test_mail_server_down_then_up_delivers_every_email_exactly_once(start_service, database_url):
    sink = SmtpSink()  # its port is chosen, nothing listens yet
    service = await start_service(database_url, SMTP_URL=sink.url, overrides={"retry_policy": FAST_RETRIES})
    for i in range(10):
        assert (await service.post_sale(distinct_sale(i))).status == 200

    async def attempted_everything():
        return all(d.attempts >= 2 for d in await service.deliveries())

    for _ in range(200):
        if await attempted_everything():
            break
        await asyncio.sleep(0.05)
    assert await attempted_everything() and sink.messages == []

    sink.start()
    try:
        await wait_until(lambda: len(sink.messages) >= 10, timeout=20)
        await asyncio.sleep(1.0)  # any duplicate would arrive by now
    finally:
        sink.stop()
    ids = [m["X-Licensemint-Delivery"] for m in sink.messages]
    deliveries = await service.deliveries()
    assert sorted(ids) == sorted(d.id for d in deliveries)
    assert all(d.status == "sent" for d in deliveries)
    assert all(lic.status == "active" for lic in await service.licenses())
