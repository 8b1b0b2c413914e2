"""The buyer's personal portal link: an HMAC-signed token naming one address and an expiry.

Token: `<base64url(address)>.<expiry unix seconds>.<base64url(HMAC-SHA256)>`, the MAC over
`portal:v1:<lower-cased address>:<expiry>` with PORTAL_SECRET. Rotating the secret voids every
link at once; a changed address, expiry or MAC is refused; an expired link is refused.
The token is a credential: it travels only in the link's query string (which the access log
never writes) and in form bodies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable
from urllib.parse import quote

MAX_TOKEN = 1024


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PortalLinks:
    def __init__(self, secret: str, *, days: int, public_url: str,
                 now: Callable[[], float] = time.time) -> None:
        self._secret = secret.encode()
        self._ttl = days * 86400
        self._base = public_url.rstrip("/")
        self._now = now

    @property
    def days(self) -> int:
        return self._ttl // 86400

    def _mac(self, email: str, expires: int) -> str:
        message = f"portal:v1:{email.strip().lower()}:{expires}".encode()
        return _b64(hmac.new(self._secret, message, hashlib.sha256).digest())

    def token(self, email: str) -> str:
        expires = int(self._now()) + self._ttl
        return f"{_b64(email.strip().lower().encode())}.{expires}.{self._mac(email, expires)}"

    def url(self, email: str) -> str:
        """The link for the license emails."""
        return f"{self._base}/portal/licenses?t={quote(self.token(email))}"

    def email_for(self, token: str) -> str | None:
        """The address a genuine, unexpired token names; None for anything else."""
        if not token or len(token) > MAX_TOKEN:
            return None
        parts = token.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        try:
            email = _unb64(parts[0]).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        expires = int(parts[1])
        if not hmac.compare_digest(self._mac(email, expires).encode(), parts[2].encode()):
            return None
        if expires <= self._now():
            return None
        return email
