"""A real SMTP server (aiosmtpd) on a loopback port, with faults on demand."""

from __future__ import annotations

import asyncio
import email
from email.message import Message

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.support.postgres import free_port


class SmtpSink:
    """`mode` decides the next answers: "accept", "451" or "550" to DATA, "550-rcpt" or
    "451-rcpt" to RCPT, "stall" (DATA never answers), "stall-quit" (DATA accepted, QUIT never answered)."""

    def __init__(self, *, port: int | None = None, credentials: tuple[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.mode = "accept"
        self.messages: list[Message] = []
        self.credentials = credentials
        self._controller: Controller | None = None

    # aiosmtpd handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "550-rcpt":
            return "550 5.1.1 mailbox unavailable"
        if self.mode == "451-rcpt":
            return "451 4.3.0 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "stall":
            await asyncio.sleep(3600)
        if self.mode == "451":
            return "451 4.3.0 temporary failure"
        if self.mode == "550":
            return "550 5.7.1 message rejected"
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return f"250 2.0.0 queued as Q{len(self.messages)}"

    async def handle_QUIT(self, server, session, envelope):
        if self.mode == "stall-quit":
            await asyncio.sleep(3600)
        return "221 Bye"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = self.credentials and (auth_data.login.decode(), auth_data.password.decode()) == self.credentials
        return AuthResult(success=bool(ok), handled=False)  # let aiosmtpd answer 535 itself

    @property
    def url(self) -> str:
        user = f"{self.credentials[0]}:{self.credentials[1]}@" if self.credentials else ""
        return f"smtp://{user}127.0.0.1:{self.port}?starttls=off&timeout=3"

    def start(self) -> SmtpSink:
        kwargs = {}
        if self.credentials:
            kwargs = {"authenticator": self._authenticate, "auth_require_tls": False}
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, ready_timeout=10, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop(no_assert=True)
            self._controller = None
