"""SmtpMailer against a real SMTP server (aiosmtpd) on a loopback port."""

import pytest

from adapters.mail.smtp import SmtpMailer, SmtpTarget, SmtpUrlError
from ports.mailer import Email, SendOutcome
from tests.support.postgres import free_port
from tests.support.smtp_server import SmtpSink

EMAIL = Email(to="jane@example.com", subject="Your key", text="KEY-TEXT", html="<p>KEY-HTML</p>", delivery_id="dlv_1")
SENDER = "AcmeSoft <licenses@acmesoft.example>"


async def test_a_message_is_delivered_as_text_and_html_alternatives(smtp_sink):
    result = await SmtpMailer(smtp_sink.url, SENDER).send(EMAIL)
    assert result.outcome is SendOutcome.SENT and result.message_id.startswith("<")
    [message] = smtp_sink.messages
    assert message["To"] == "jane@example.com" and message["From"] == SENDER
    assert message["X-Licensemint-Delivery"] == "dlv_1" and message["Message-ID"] == result.message_id
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk() if not p.is_multipart()}
    assert "KEY-TEXT" in parts["text/plain"] and "KEY-HTML" in parts["text/html"]


@pytest.mark.parametrize(
    ("mode", "outcome"),
    [
        ("451", SendOutcome.TRANSIENT),
        ("550", SendOutcome.PERMANENT_MESSAGE),
        ("550-rcpt", SendOutcome.PERMANENT_RECIPIENT),
        ("451-rcpt", SendOutcome.TRANSIENT),
    ],
)
async def test_replies_are_classified_by_code(smtp_sink, mode, outcome):
    smtp_sink.mode = mode
    result = await SmtpMailer(smtp_sink.url, SENDER).send(EMAIL)
    assert result.outcome is outcome and mode[:3] in result.detail
    assert smtp_sink.messages == []


async def test_a_stalling_server_is_cut_off_by_the_overall_deadline(smtp_sink):
    smtp_sink.mode = "stall"
    url = smtp_sink.url.replace("timeout=3", "timeout=1")
    result = await SmtpMailer(url, SENDER).send(EMAIL)
    assert result.outcome is SendOutcome.TRANSIENT and "no answer within 1 s" in result.detail


async def test_a_server_that_is_down_is_transient():
    result = await SmtpMailer(f"smtp://127.0.0.1:{free_port()}?starttls=off", SENDER).send(EMAIL)
    assert result.outcome is SendOutcome.TRANSIENT


async def test_starttls_is_required_unless_turned_off(smtp_sink):
    url = smtp_sink.url.replace("starttls=off&", "")
    result = await SmtpMailer(url, SENDER).send(EMAIL)
    assert result.outcome is SendOutcome.CONFIGURATION and "STARTTLS" in result.detail
    assert smtp_sink.messages == []


async def test_login_with_the_url_credentials_and_refused_login_is_configuration():
    sink = SmtpSink(credentials=("user", "p@ss word")).start()
    try:
        good = f"smtp://user:p%40ss%20word@127.0.0.1:{sink.port}?starttls=off"
        assert (await SmtpMailer(good, SENDER).send(EMAIL)).outcome is SendOutcome.SENT
        bad = f"smtp://user:wrong@127.0.0.1:{sink.port}?starttls=off"
        result = await SmtpMailer(bad, SENDER).send(EMAIL)
        assert result.outcome is SendOutcome.CONFIGURATION and "535" in result.detail
    finally:
        sink.stop()
    assert len(sink.messages) == 1


async def test_header_injection_through_the_recipient_is_refused_not_sent(smtp_sink):
    evil = Email(to="jane@example.com\r\nBcc: all@example.com", subject="s", text="t", html="h", delivery_id="d")
    result = await SmtpMailer(smtp_sink.url, SENDER).send(evil)
    assert result.outcome is SendOutcome.PERMANENT_RECIPIENT and smtp_sink.messages == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://u:p@mail.example.com", ("mail.example.com", 587, False, True)),
        ("smtp://mail.example.com:465", ("mail.example.com", 465, True, False)),
        ("smtps://mail.example.com", ("mail.example.com", 465, True, False)),
        ("smtp://localhost:1025?starttls=off", ("localhost", 1025, False, False)),
    ],
)
def test_smtp_urls_choose_port_and_tls(url, expected):
    t = SmtpTarget.parse(url)
    assert (t.host, t.port, t.implicit_tls, t.starttls) == expected


@pytest.mark.parametrize("url", ["http://x", "smtp://", "smtp://h?tls=no", "smtp://h?starttls=maybe", "smtp://h:port"])
def test_bad_smtp_urls_are_refused_naming_the_setting(url):
    with pytest.raises(SmtpUrlError, match="SMTP_URL"):
        SmtpTarget.parse(url)


async def test_the_license_file_arrives_as_an_attachment_over_smtp(smtp_sink):
    from ports.mailer import Attachment

    key = "LIC1.XWQjreEOXsQ.eyJ2IjoxfQ.c2ln"
    with_file = Email(to="jane@example.com", subject="Your key", text=key, html=f"<p>{key}</p>", delivery_id="dlv_2",
                      attachments=(Attachment(filename="acmesoft-pro.lic", content_type="application/octet-stream",
                                              content=key.encode()),))
    result = await SmtpMailer(smtp_sink.url, SENDER).send(with_file)
    assert result.outcome is SendOutcome.SENT
    [message] = smtp_sink.messages
    assert message.get_content_type() == "multipart/mixed"
    [lic] = [p for p in message.walk() if p.get_filename() == "acmesoft-pro.lic"]
    assert lic.get_content_type() == "application/octet-stream" and lic.get_payload(decode=True) == key.encode()
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert text.get_payload(decode=True).decode() == key


async def test_a_server_that_stalls_on_quit_after_the_250_still_counts_as_sent(smtp_sink):
    smtp_sink.mode = "stall-quit"
    url = smtp_sink.url.replace("timeout=3", "timeout=1")
    result = await SmtpMailer(url, SENDER).send(EMAIL)
    assert result.outcome is SendOutcome.SENT
    assert len(smtp_sink.messages) == 1


async def test_every_attempt_at_one_delivery_carries_the_same_message_id(smtp_sink):
    mailer = SmtpMailer(smtp_sink.url, SENDER)
    first, second = await mailer.send(EMAIL), await mailer.send(EMAIL)
    assert first.message_id == second.message_id == "<dlv_1@acmesoft.example>"
    assert [m["Message-ID"] for m in smtp_sink.messages] == [first.message_id] * 2
    other = await mailer.send(Email(to="jane@example.com", subject="s", text="t", html="h", delivery_id="dlv_2"))
    assert other.message_id != first.message_id


@pytest.mark.parametrize("address", ["jane\x01@example.com", "jane@example.com\x00", "ja\tne@example.com"])
async def test_an_address_with_a_control_character_is_permanent_for_the_recipient(smtp_sink, address):
    result = await SmtpMailer(smtp_sink.url, SENDER).send(
        Email(to=address, subject="s", text="t", html="h", delivery_id="dlv_3"))
    assert result.outcome is SendOutcome.PERMANENT_RECIPIENT and "control character" in result.detail
    assert smtp_sink.messages == []
