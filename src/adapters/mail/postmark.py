"""PostmarkMailer: license emails through Postmark's email API.

Answers are classified by the table in the design notes: 429/5xx/ErrorCode 100 and
connection trouble before sending are transient; 422 with ErrorCode 406 is permanent for
the recipient; other request errors are permanent for the message; a bad token, sender
signature or account state is configuration. Postmark has no idempotency key, so every
message carries `Metadata.delivery_id`; after an ambiguous failure (a timeout or reset
once the request was sent), the next attempt first looks the message up by that metadata
and sends only if Postmark has not got it.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

import aiohttp

from ports.mailer import Email, SendOutcome, SendResult

log = logging.getLogger(__name__)

_CONFIGURATION_CODES = {10, 400, 401, 405, 412, 413}
_TRANSIENT_HTTP = {429, 500, 502, 503, 504}


class PostmarkMailer:
    def __init__(
        self,
        token: str,
        sender: str,
        *,
        message_stream: str = "outbound",
        base_url: str = "https://api.postmarkapp.com",
        tag: str = "license",
        timeout: float = 15.0,
    ) -> None:
        self._token = token
        self._sender = sender
        self._stream = message_stream
        self._base = base_url.rstrip("/")
        self._tag = tag
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=5)
        self._session: aiohttp.ClientSession | None = None

    def describe(self) -> str:
        return f"postmark {self._base} (stream {self._stream})"

    @property
    def _headers(self) -> dict[str, str]:
        return {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "X-Postmark-Server-Token": self._token,
        }

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, email: Email) -> SendResult:
        if email.confirm_first:
            found = await self.find(email.delivery_id)
            if found is not None:
                log.info("delivery %s: Postmark already has it (%s); not sending again", email.delivery_id, found)
                return SendResult(outcome=SendOutcome.SENT, message_id=found, detail="found after an ambiguous attempt")
        payload = {
            "From": self._sender,
            "To": email.to,
            "Subject": email.subject,
            "TextBody": email.text,
            "HtmlBody": email.html,
            "Tag": self._tag,
            "Metadata": {"delivery_id": email.delivery_id},
            "TrackOpens": False,
            "TrackLinks": "None",
            "MessageStream": self._stream,
        }
        if email.attachments:
            payload["Attachments"] = [
                {"Name": a.filename, "Content": base64.b64encode(a.content).decode("ascii"), "ContentType": a.content_type}
                for a in email.attachments
            ]
        try:
            async with self._client().post(f"{self._base}/email", json=payload) as response:
                return _classify(response.status, await _json(response))
        except aiohttp.ClientConnectorError as exc:  # refused before anything was sent
            return SendResult(outcome=SendOutcome.TRANSIENT, detail=f"cannot connect: {exc}")
        except (TimeoutError, aiohttp.ClientError) as exc:
            # the request may have reached Postmark: the next attempt looks before sending
            detail = f"{type(exc).__name__} {exc}".strip()
            return SendResult(outcome=SendOutcome.AMBIGUOUS, detail=f"no answer after sending: {detail}")

    async def find(self, delivery_id: str) -> str | None:
        """Postmark's MessageID of the message sent for this delivery, if it has one."""
        params = {"count": "1", "offset": "0", "metadata_delivery_id": delivery_id}
        try:
            async with self._client().get(f"{self._base}/messages/outbound", params=params) as response:
                if response.status != 200:
                    return None
                body = await _json(response)
        except (TimeoutError, aiohttp.ClientError):
            return None
        messages = body.get("Messages") or []
        return messages[0].get("MessageID") if messages else None


async def _json(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        body = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return {}
    return body if isinstance(body, dict) else {}


def _classify(status: int, body: dict[str, Any]) -> SendResult:
    code = body.get("ErrorCode")
    message = str(body.get("Message", "")).strip() or f"HTTP {status}"
    detail = f"HTTP {status}, ErrorCode {code}: {message}" if code is not None else f"HTTP {status}: {message}"
    if status == 200 and not code:
        return SendResult(outcome=SendOutcome.SENT, message_id=body.get("MessageID"), detail=message)
    if status == 413:
        return SendResult(outcome=SendOutcome.PERMANENT_MESSAGE, detail=detail)
    if status in _TRANSIENT_HTTP or code == 100:
        return SendResult(outcome=SendOutcome.TRANSIENT, detail=detail)
    if status == 401 or code in _CONFIGURATION_CODES:
        return SendResult(outcome=SendOutcome.CONFIGURATION, detail=detail)
    if status == 403 and not body:
        return SendResult(outcome=SendOutcome.CONFIGURATION, detail="HTTP 403 from a network block in front of Postmark")
    if code == 406:
        return SendResult(outcome=SendOutcome.PERMANENT_RECIPIENT, detail=detail)
    return SendResult(outcome=SendOutcome.PERMANENT_MESSAGE, detail=detail)
