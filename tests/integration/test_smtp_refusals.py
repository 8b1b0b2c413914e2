"""SMTP refusals with 5xx codes other than the usual 550 are permanent too: retrying a
syntax error (501), a bad mailbox (511) or a rejected transaction (554) would only repeat
the refusal for hours."""

import pytest

from adapters.mail.smtp import SmtpMailer
from ports.mailer import Email, SendOutcome
from tests.support.smtp_server import SmtpSink

EMAIL = Email(to="jane@example.com", subject="Your key", text="KEY", html="<p>KEY</p>", delivery_id="dlv_1")
SENDER = "AcmeSoft <licenses@acmesoft.example>"


class RefusingSink(SmtpSink):
    """Answers `code` to RCPT (`at="rcpt"`) or to DATA (`at="data"`)."""

    def __init__(self, code: int, at: str) -> None:
        super().__init__()
        self.code, self.at = code, at

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.at == "rcpt":
            return f"{self.code} 5.1.1 refused"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        if self.at == "data":
            return f"{self.code} 5.7.1 refused"
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("code", [501, 511, 554])
@pytest.mark.parametrize(
    ("at", "outcome"),
    [("rcpt", SendOutcome.PERMANENT_RECIPIENT), ("data", SendOutcome.PERMANENT_MESSAGE)],
)
async def test_5xx_refusals_are_permanent_whatever_the_code(code, at, outcome):
    sink = RefusingSink(code, at).start()
    try:
        result = await SmtpMailer(sink.url, SENDER).send(EMAIL)
    finally:
        sink.stop()
    assert result.outcome is outcome and str(code) in (result.detail or "")
    assert sink.messages == []
