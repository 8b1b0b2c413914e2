"""build_message: the MIME every mailer sends, with the license file attached."""

import base64
import email as email_parser
from email import policy

import pytest

from adapters.mail.file_mailer import FileMailer
from adapters.mail.message import build_message
from ports.mailer import Attachment, Email, SendOutcome

KEY = "LIC1.XWQjreEOXsQ.eyJ2IjoxfQ.c2ln"
EMAIL = Email(to="jane@example.com", subject="Your key", text=f"key: {KEY}", html=f"<p>{KEY}</p>",
              delivery_id="dlv_1", attachments=(Attachment(filename="acmesoft-pro.lic",
                                                           content_type="application/octet-stream",
                                                           content=KEY.encode()),))
SENDER = "AcmeSoft <licenses@acmesoft.example>"


def parts_of(raw: bytes):
    message = email_parser.message_from_bytes(raw, policy=policy.default)
    return message, [p for p in message.walk() if not p.is_multipart()]


@pytest.mark.parametrize("cte", ["quoted-printable", "8bit"])
def test_an_attachment_makes_a_mixed_message_alternatives_first_then_the_file(cte):
    message, parts = parts_of(build_message(EMAIL, SENDER, cte=cte).as_bytes())
    assert message.get_content_type() == "multipart/mixed"
    assert [p.get_content_type() for p in message.iter_parts()] == ["multipart/alternative", "application/octet-stream"]
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html", "application/octet-stream"]
    lic = parts[2]
    assert lic.get_content_disposition() == "attachment" and lic.get_filename() == "acmesoft-pro.lic"
    assert lic["Content-Transfer-Encoding"] == "base64" and lic.get_content() == KEY.encode()


def test_without_attachments_the_message_stays_alternative():
    plain = Email(to="jane@example.com", subject="s", text="t", html="h", delivery_id="d")
    message, _ = parts_of(build_message(plain, SENDER).as_bytes())
    assert message.get_content_type() == "multipart/alternative"


def test_an_attachment_name_with_a_line_break_is_refused():
    evil = Email(to="jane@example.com", subject="s", text="t", html="h", delivery_id="d",
                 attachments=(Attachment(filename="a.lic\r\nBcc: x@example.com", content_type="application/octet-stream",
                                         content=b"k"),))
    with pytest.raises(ValueError, match="line break"):
        build_message(evil, SENDER)


async def test_the_file_mailer_writes_the_attachment_into_the_eml(tmp_path):
    result = await FileMailer(tmp_path, SENDER).send(EMAIL)
    assert result.outcome is SendOutcome.SENT
    [eml] = tmp_path.glob("*.eml")
    message, parts = parts_of(eml.read_bytes())
    [lic] = [p for p in parts if p.get_filename() == "acmesoft-pro.lic"]
    assert lic.get_content() == KEY.encode()
    assert base64.b64encode(KEY.encode()).decode()[:20] in eml.read_text()
