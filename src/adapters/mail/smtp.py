"""SmtpMailer: license emails through any SMTP server, with aiosmtplib.

SMTP_URL is `smtp://user:pass@host:587` (STARTTLS required), `smtps://user:pass@host:465`
(implicit TLS; also used for port 465 with `smtp://`), with `?starttls=off` to send in
plain text to a local relay or catcher, and `?timeout=30` for the overall deadline of one
message in seconds. Replies are classified as `ports.mailer` says: 5xx is permanent (for
the recipient when the RCPT was refused), 4xx and connection trouble are transient, and
refused credentials or a server that will not do the TLS we require are configuration.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from adapters.mail.message import RecipientError, build_message
from ports.mailer import Email, SendOutcome, SendResult


class SmtpUrlError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: bool
    deadline: float

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise SmtpUrlError("SMTP_URL: scheme must be smtp:// or smtps://")
        if not parts.hostname:
            raise SmtpUrlError("SMTP_URL: no host")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"starttls", "timeout"}
        if unknown:
            raise SmtpUrlError(f"SMTP_URL: unknown option {sorted(unknown)[0]!r} (known: starttls, timeout)")
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 587)
        except ValueError:
            raise SmtpUrlError("SMTP_URL: the port is not a number") from None
        implicit = parts.scheme == "smtps" or port == 465
        starttls_option = query.get("starttls", "on").lower()
        if starttls_option not in ("on", "off"):
            raise SmtpUrlError("SMTP_URL: starttls must be on or off")
        try:
            deadline = float(query.get("timeout", "30"))
        except ValueError:
            raise SmtpUrlError("SMTP_URL: timeout must be a number of seconds") from None
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit,
            starttls=not implicit and starttls_option == "on",
            deadline=deadline,
        )

    def describe(self) -> str:
        tls = "implicit TLS" if self.implicit_tls else "STARTTLS required" if self.starttls else "no TLS"
        return f"smtp {self.host}:{self.port} ({tls})"


class SmtpMailer:
    def __init__(self, url: str, sender: str, *, extra_headers: dict[str, str] | None = None) -> None:
        self.target = SmtpTarget.parse(url)
        self._sender = sender
        self._headers = extra_headers or {}
        self._local_hostname = socket.gethostname() or "licensemint"

    def describe(self) -> str:
        return self.target.describe()

    async def close(self) -> None:
        pass  # one connection per message: nothing is kept open

    async def send(self, email: Email) -> SendResult:
        try:
            message = build_message(email, self._sender)
            for name, value in self._headers.items():
                message[name] = value
        except RecipientError as exc:  # a control character in the address: never deliverable
            return SendResult(outcome=SendOutcome.PERMANENT_RECIPIENT, detail=str(exc))
        except ValueError as exc:  # a line break in a header (injection) or a bad address
            return SendResult(outcome=SendOutcome.PERMANENT_MESSAGE, detail=f"cannot build message: {exc}")
        t = self.target
        client = aiosmtplib.SMTP(
            hostname=t.host,
            port=t.port,
            use_tls=t.implicit_tls,
            start_tls=t.starttls,
            timeout=min(t.deadline, 15),
            local_hostname=self._local_hostname,
        )
        reply: str | None = None
        try:
            async with asyncio.timeout(t.deadline):
                await client.connect()
                if t.username:
                    await client.login(t.username, t.password or "")
                _, reply = await client.send_message(message)
        except TimeoutError:
            return _result(SendOutcome.TRANSIENT, f"no answer within {t.deadline:.0f} s")
        except aiosmtplib.SMTPAuthenticationError as exc:
            return _result(SendOutcome.CONFIGURATION, f"login refused: {exc.code} {exc.message}")
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return _refused(exc.recipients[0])
        except aiosmtplib.SMTPRecipientRefused as exc:
            return _refused(exc)
        except aiosmtplib.SMTPResponseException as exc:
            outcome = SendOutcome.PERMANENT_MESSAGE if exc.code >= 500 else SendOutcome.TRANSIENT
            return _result(outcome, f"{exc.code} {exc.message}")
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError, OSError) as exc:
            return _result(SendOutcome.TRANSIENT, f"{type(exc).__name__}: {exc}")
        except aiosmtplib.SMTPException as exc:
            # e.g. STARTTLS required but not offered, or AUTH not supported: ours to fix
            return _result(SendOutcome.CONFIGURATION, f"{type(exc).__name__}: {exc}")
        except ValueError as exc:  # aiosmtplib refuses a control character in an address
            return _result(SendOutcome.PERMANENT_RECIPIENT, f"cannot be sent to this address: {exc}")
        finally:
            if reply is None:
                client.close()
        # The 250 is in: the message is sent, whatever QUIT does. A server that stalls or
        # drops the line now must not turn a delivered message into a retry.
        await _quit_politely(client)
        return SendResult(outcome=SendOutcome.SENT, message_id=message["Message-ID"], detail=reply)


QUIT_GRACE = 2.0


async def _quit_politely(client: aiosmtplib.SMTP) -> None:
    try:
        async with asyncio.timeout(QUIT_GRACE):
            await client.quit()
    except (TimeoutError, aiosmtplib.SMTPException, OSError):
        pass
    finally:
        client.close()


def _result(outcome: SendOutcome, detail: str) -> SendResult:
    return SendResult(outcome=outcome, detail=detail)


def _refused(exc: aiosmtplib.SMTPRecipientRefused) -> SendResult:
    outcome = SendOutcome.PERMANENT_RECIPIENT if exc.code >= 500 else SendOutcome.TRANSIENT
    return _result(outcome, f"recipient refused: {exc.code} {exc.message}")
