"""DeliverPending on memory adapters: claims, results, retries, dead letters."""

from datetime import timedelta

import pytest

from core.domain.model import DeliveryStatus, LicenseStatus
from ports.mailer import SendOutcome, SendResult
from tests.conftest import gumroad_body
from tests.unit.world import World


@pytest.fixture
async def world() -> World:
    w = World()
    await w.receive(gumroad_body("01_sale_licensed_basic"))
    return w


async def test_a_due_delivery_is_sent_once_with_the_key_in_both_parts(world):
    report = await world.deliver_due()
    assert (report.claimed, report.sent) == (1, 1)
    [email] = world.mailer.sent
    [lic] = world.licenses()
    assert email.to == "jane.doe@example.com" and lic.key in email.text and lic.key in email.html
    assert "AcmeSoft Pro" in email.subject
    [delivery] = world.deliveries()
    assert delivery.status is DeliveryStatus.SENT and delivery.provider_message_id == "msg-1"
    assert delivery.lease_until is None and delivery.attempts == 1
    assert (await world.deliver_due()).claimed == 0


async def test_a_leased_delivery_is_not_claimed_by_a_second_worker(world):
    async with world.uow() as uow:
        claimed = await uow.deliveries.claim_due(
            now=world.clock.now(), lease_until=world.clock.now() + timedelta(minutes=2),
            worker_id="other", limit=10,
        )
        await uow.commit()
    assert len(claimed) == 1
    assert (await world.deliver_due("w1")).claimed == 0
    world.clock.advance(minutes=3)  # the other worker died; its lease lapsed
    assert (await world.deliver_due("w1")).sent == 1


async def test_a_transient_failure_retries_later_with_backoff(world):
    world.mailer.script = [SendResult(outcome=SendOutcome.TRANSIENT, detail="451 try later")]
    report = await world.deliver_due()
    assert report.retrying == 1
    [delivery] = world.deliveries()
    assert delivery.status is DeliveryStatus.PENDING and "451" in delivery.last_error
    assert delivery.next_attempt_at == world.clock.now() + timedelta(seconds=7.5)  # 10 s, rand 0.5
    assert (await world.deliver_due()).claimed == 0  # not due yet
    world.clock.advance(seconds=8)
    assert (await world.deliver_due()).sent == 1
    assert world.deliveries()[0].attempts == 2


async def test_attempts_run_out_and_the_delivery_is_dead_with_the_reason(world):
    limit = world.deliver._policy.max_attempts
    world.mailer.script = [SendResult(outcome=SendOutcome.TRANSIENT, detail="down")] * limit
    for _ in range(limit):
        await world.deliver_due()
        world.clock.advance(hours=2)
    [delivery] = world.deliveries()
    assert delivery.status is DeliveryStatus.DEAD and f"gave up after {limit} attempts" in delivery.last_error
    assert len(world.store.attempts) == limit


@pytest.mark.parametrize(
    "outcome", [SendOutcome.PERMANENT_MESSAGE, SendOutcome.PERMANENT_RECIPIENT]
)
async def test_a_permanent_failure_is_dead_at_once_and_the_license_untouched(world, outcome):
    world.mailer.script = [SendResult(outcome=outcome, detail="inactive recipient")]
    report = await world.deliver_due()
    assert report.dead == 1
    [delivery] = world.deliveries()
    assert delivery.status is DeliveryStatus.DEAD and "inactive recipient" in delivery.last_error
    assert world.licenses()[0].status is LicenseStatus.ACTIVE


async def test_a_configuration_failure_spends_no_attempt_and_is_reported(world):
    world.mailer.script = [SendResult(outcome=SendOutcome.CONFIGURATION, detail="bad token")]
    report = await world.deliver_due()
    assert report.configuration_error == "bad token"
    [delivery] = world.deliveries()
    assert delivery.status is DeliveryStatus.PENDING and delivery.attempts == 0


async def test_a_mailer_that_raises_leaves_the_delivery_retryable(world):
    class Exploding:
        async def send(self, email):
            raise OSError("disk on fire")

    world.deliver._mailer = Exploding()
    report = await world.deliver_due()
    assert report.retrying == 1
    [delivery] = world.deliveries()
    assert delivery.status is DeliveryStatus.PENDING and "disk on fire" in delivery.last_error
    assert world.licenses()[0].status is LicenseStatus.ACTIVE


async def test_user_supplied_names_are_escaped_in_html(world):
    from tests.bodies import sale_body

    await world.receive(sale_body(sale_id="XSS==", full_name="<script>alert(1)</script>\r\nBcc: x@evil"))
    await world.deliver_due()
    email = next(e for e in world.mailer.sent if "script" in e.text)
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    assert "\n" not in email.subject


async def test_every_attempt_is_recorded_with_its_outcome(world):
    world.mailer.script = [SendResult(outcome=SendOutcome.TRANSIENT, detail="451 busy")]
    await world.deliver_due()
    world.clock.advance(minutes=1)
    await world.deliver_due()
    first, second = world.store.attempts
    assert (first.outcome, first.error, first.worker_id) == ("transient", "451 busy", "w1")
    assert (second.outcome, second.provider_message_id, second.error) == ("sent", "msg-1", None)


async def test_after_an_ambiguous_attempt_the_next_one_asks_the_provider_first(world):
    world.mailer.script = [SendResult(outcome=SendOutcome.AMBIGUOUS, detail="timeout after sending")]
    await world.deliver_due()
    [delivery] = world.deliveries()
    assert delivery.status is DeliveryStatus.PENDING and delivery.last_error.startswith("ambiguous")
    world.clock.advance(minutes=1)
    await world.deliver_due()
    [email] = world.mailer.sent
    assert email.confirm_first is True


async def test_a_claim_taken_over_from_a_dead_worker_asks_the_provider_first(world):
    async with world.uow() as uow:
        await uow.deliveries.claim_due(now=world.clock.now(), lease_until=world.clock.now() + timedelta(minutes=2),
                                       worker_id="died", limit=1)
        await uow.commit()
    world.clock.advance(minutes=3)
    await world.deliver_due()
    [email] = world.mailer.sent
    assert email.confirm_first is True


async def test_a_first_attempt_does_not_ask_first(world):
    await world.deliver_due()
    assert world.mailer.sent[0].confirm_first is False


async def test_a_stop_mid_batch_releases_the_unfinished_claims_without_spending_attempts(world):
    import asyncio

    from tests.bodies import sale_body

    await world.receive(sale_body(sale_id="second=="))

    class Hanging:
        async def send(self, email):
            await asyncio.sleep(3600)

    world.deliver._mailer = Hanging()
    task = asyncio.ensure_future(world.deliver_due())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert all(d.worker_id is None and d.lease_until is None and d.attempts == 0 for d in world.deliveries())


async def test_a_claimed_batch_is_sent_several_at_a_time(world):
    import asyncio

    from tests.bodies import sale_body

    for i in range(5):
        await world.receive(sale_body(sale_id=f"par-{i}=="))
    active, peak = 0, 0

    class Slow:
        async def send(self, email):
            nonlocal active, peak
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.02)
            active -= 1
            return SendResult(outcome=SendOutcome.SENT, message_id="m")

    world.deliver._mailer = Slow()
    report = await world.deliver_due()
    assert report.sent == 6 and peak > 1


async def test_a_recipient_with_a_control_character_is_dead_at_once_with_the_reason(tmp_path, caplog):
    from dataclasses import replace as _replace

    from adapters.mail.file_mailer import FileMailer
    from tests.bodies import sale_body

    w = World()
    await w.receive(sale_body(email="jane\x01doe@example.com"))
    w.deliver._mailer = FileMailer(tmp_path / "mail", "AcmeSoft <licenses@acmesoft.example>")
    report = await w.deliver_due()
    assert report.dead == 1
    [delivery] = w.deliveries()
    assert delivery.status is DeliveryStatus.DEAD and "control character" in delivery.last_error
    assert "Traceback" not in caplog.text and not list((tmp_path / "mail").glob("*.eml"))
