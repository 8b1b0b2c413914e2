"""The MIME message every mailer sends: multipart/alternative, text then HTML."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ports.mailer import Email


def build_message(email: Email, sender: str, *, cte: str = "quoted-printable") -> EmailMessage:
    """`cte="8bit"` keeps the key on one readable line (for files); SMTP keeps 7-bit safety."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=email.delivery_id.replace("_", ""))
    message["X-Licensemint-Delivery"] = email.delivery_id
    message.set_content(email.text, cte=cte)
    message.add_alternative(email.html, subtype="html", cte=cte)
    return message
