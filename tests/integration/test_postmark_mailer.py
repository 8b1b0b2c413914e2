"""PostmarkMailer against a local server that speaks Postmark's documented API."""

import pytest

from adapters.mail.postmark import PostmarkMailer
from ports.mailer import Email, SendOutcome
from tests.support.fake_postmark import TOKEN
from tests.support.postgres import free_port

EMAIL = Email(to="jane@example.com", subject="Your key", text="KEY", html="<p>KEY</p>", delivery_id="dlv_42")


@pytest.fixture
async def mailer(fake_postmark):
    m = PostmarkMailer(TOKEN, "AcmeSoft <licenses@acmesoft.example>", base_url=fake_postmark.url,
                       message_stream="outbound", timeout=1.0)
    yield m
    await m.close()


async def test_a_message_is_accepted_with_its_message_id_and_our_metadata(mailer, fake_postmark):
    result = await mailer.send(EMAIL)
    assert result.outcome is SendOutcome.SENT
    [sent] = fake_postmark.accepted
    assert result.message_id == sent["MessageID"]
    assert sent["Metadata"] == {"delivery_id": "dlv_42"} and sent["TrackLinks"] == "None"
    assert sent["MessageStream"] == "outbound" and sent["Tag"] == "license"
    assert (sent["TextBody"], sent["HtmlBody"]) == ("KEY", "<p>KEY</p>")


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        ("422-406", SendOutcome.PERMANENT_RECIPIENT),
        ("422-300", SendOutcome.PERMANENT_MESSAGE),
        ("429", SendOutcome.TRANSIENT),
        ("500", SendOutcome.TRANSIENT),
    ],
)
async def test_answers_are_classified_as_documented(mailer, fake_postmark, answer, outcome):
    fake_postmark.script = [answer]
    result = await mailer.send(EMAIL)
    assert result.outcome is outcome
    assert fake_postmark.accepted == []


async def test_a_bad_token_is_a_configuration_failure(fake_postmark):
    m = PostmarkMailer("wrong-token", "x@example.com", base_url=fake_postmark.url)
    try:
        result = await m.send(EMAIL)
    finally:
        await m.close()
    assert result.outcome is SendOutcome.CONFIGURATION and "ErrorCode 10" in result.detail


async def test_connection_refused_is_transient():
    m = PostmarkMailer(TOKEN, "x@example.com", base_url=f"http://127.0.0.1:{free_port()}")
    try:
        result = await m.send(EMAIL)
    finally:
        await m.close()
    assert result.outcome is SendOutcome.TRANSIENT


async def test_accept_then_hang_is_ambiguous_and_the_retry_finds_it_instead_of_sending_again(mailer, fake_postmark):
    fake_postmark.script = ["accept-then-hang"]
    first = await mailer.send(EMAIL)
    assert first.outcome is SendOutcome.AMBIGUOUS
    assert len(fake_postmark.accepted) == 1
    retry = await mailer.send(_confirming(EMAIL))
    assert retry.outcome is SendOutcome.SENT and retry.message_id == fake_postmark.accepted[0]["MessageID"]
    assert len(fake_postmark.accepted) == 1 and fake_postmark.requests == 1 and fake_postmark.searches == 1


async def test_a_hang_before_acceptance_is_retried_and_sent_once(mailer, fake_postmark):
    fake_postmark.script = ["hang"]
    assert (await mailer.send(EMAIL)).outcome is SendOutcome.AMBIGUOUS
    retry = await mailer.send(_confirming(EMAIL))
    assert retry.outcome is SendOutcome.SENT
    assert len(fake_postmark.accepted) == 1 and fake_postmark.searches == 1


def _confirming(email: Email) -> Email:
    from dataclasses import replace

    return replace(email, confirm_first=True)


async def test_the_license_file_goes_as_a_postmark_attachment(mailer, fake_postmark):
    import base64

    from ports.mailer import Attachment

    key = "LIC1.XWQjreEOXsQ.eyJ2IjoxfQ.c2ln"
    with_file = Email(to="jane@example.com", subject="Your key", text=key, html=key, delivery_id="dlv_43",
                      attachments=(Attachment(filename="acmesoft-pro.lic", content_type="application/octet-stream",
                                              content=key.encode()),))
    assert (await mailer.send(with_file)).outcome is SendOutcome.SENT
    [sent] = fake_postmark.accepted
    assert sent["Attachments"] == [{"Name": "acmesoft-pro.lic", "ContentType": "application/octet-stream",
                                    "Content": base64.b64encode(key.encode()).decode()}]
    assert base64.b64decode(sent["Attachments"][0]["Content"]) == key.encode()


async def test_a_message_without_attachments_sends_no_attachments_field(mailer, fake_postmark):
    await mailer.send(EMAIL)
    [sent] = fake_postmark.accepted
    assert "Attachments" not in sent
