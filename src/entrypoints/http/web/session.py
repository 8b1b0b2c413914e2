"""The console's session and CSRF cookies.

Session: `<b64 name>.<issued>.<seen>.<b64 MAC>`, the MAC keyed with the operator's own admin
token — removing or changing a token in ADMIN_TOKENS ends its sessions. Every signed-in page
re-issues it with a fresh `seen`; a session idle longer than IDLE or older than ABSOLUTE is
over. Signed-out sessions are remembered by this process until they would have expired.
Cookies: HttpOnly, SameSite=Strict, Path=/console/, Secure when the request came over HTTPS
(directly, or from a trusted proxy saying X-Forwarded-Proto: https).

CSRF: a random value in its own cookie that every form repeats in a hidden field (the
sign-in form too); a POST whose field and cookie differ, or whose Origin is another site's,
is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import base64
import binascii
import hashlib
import hmac
import ipaddress
import secrets
import time
from dataclasses import dataclass

from aiohttp import web

SESSION_COOKIE = "lm_console"
CSRF_COOKIE = "lm_csrf"
IDLE = 30 * 60
ABSOLUTE = 12 * 3600
PATH = "/console/"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class Session:
    name: str
    issued: int
    seen: int


class Sessions:
    def __init__(self, named_tokens: list[tuple[bytes, str]], *, trusted_proxies: Iterable[str] = ()) -> None:
        self._tokens = {name: token for token, name in named_tokens}
        self._named = named_tokens
        self._ended: dict[str, int] = {}
        self._trusted = [ipaddress.ip_network(n, strict=False) for n in trusted_proxies]

    def sign_in(self, given: str) -> str | None:
        """The admin name a token belongs to; every token is compared, timing says nothing."""
        who = None
        for token, name in self._named:
            if hmac.compare_digest(given.strip().encode(), token):
                who = name
        return who

    def _mac(self, name: str, issued: int, seen: int) -> str:
        token = self._tokens[name]
        return _b64(hmac.new(token, f"console:{name}:{issued}:{seen}".encode(), hashlib.sha256).digest())

    def cookie_value(self, session: Session) -> str:
        n = _b64(session.name.encode())
        return f"{n}.{session.issued}.{session.seen}.{self._mac(session.name, session.issued, session.seen)}"

    def read(self, request: web.Request, now: float | None = None) -> Session | None:
        now = int(time.time() if now is None else now)
        value = request.cookies.get(SESSION_COOKIE, "")
        parts = value.split(".")
        if len(parts) != 4 or not parts[1].isdigit() or not parts[2].isdigit():
            return None
        try:
            name = _unb64(parts[0]).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        if name not in self._tokens:
            return None
        issued, seen = int(parts[1]), int(parts[2])
        if not hmac.compare_digest(self._mac(name, issued, seen).encode(), parts[3].encode()):
            return None
        if now - seen > IDLE or now - issued > ABSOLUTE or seen > now + 60 or value in self._ended:
            return None
        return Session(name=name, issued=issued, seen=seen)

    def end(self, request: web.Request) -> None:
        now = int(time.time())
        self._ended = {v: until for v, until in self._ended.items() if until > now}
        value = request.cookies.get(SESSION_COOKIE)
        if value:
            self._ended[value] = now + ABSOLUTE

    def https(self, request: web.Request) -> bool:
        if request.secure:
            return True
        if request.headers.get("X-Forwarded-Proto", "").lower() != "https" or not self._trusted:
            return False
        try:
            peer = ipaddress.ip_address(request.remote or "")
        except ValueError:
            return False
        return any(peer in net for net in self._trusted)

    def set_cookie(self, request: web.Request, response: web.StreamResponse, name: str, value: str,
                   *, max_age: int) -> None:
        response.set_cookie(name, value, path=PATH, httponly=True, samesite="Strict",
                            secure=self.https(request), max_age=max_age)

    def keep(self, request: web.Request, response: web.StreamResponse, session: Session) -> None:
        renewed = Session(name=session.name, issued=session.issued, seen=int(time.time()))
        left = max(1, session.issued + ABSOLUTE - renewed.seen)
        self.set_cookie(request, response, SESSION_COOKIE, self.cookie_value(renewed), max_age=min(IDLE, left))

    def start(self, request: web.Request, response: web.StreamResponse, name: str) -> None:
        now = int(time.time())
        self.set_cookie(request, response, SESSION_COOKIE,
                        self.cookie_value(Session(name=name, issued=now, seen=now)), max_age=IDLE)

    def clear(self, request: web.Request, response: web.StreamResponse) -> None:
        response.del_cookie(SESSION_COOKIE, path=PATH)


def csrf_value(request: web.Request) -> str:
    value = request.cookies.get(CSRF_COOKIE, "")
    return value if len(value) == 43 else secrets.token_urlsafe(32)


def set_csrf(sessions: Sessions, request: web.Request, response: web.StreamResponse, value: str) -> None:
    if request.cookies.get(CSRF_COOKIE) != value:
        sessions.set_cookie(request, response, CSRF_COOKIE, value, max_age=ABSOLUTE)


def csrf_ok(request: web.Request, form: Mapping[str, Any]) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    given = form.get("csrf", "")
    if not cookie or not isinstance(given, str) or not hmac.compare_digest(cookie.encode(), given.encode()):
        return False
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        if origin.split("://", 1)[-1] != request.host:
            return False
    return True
