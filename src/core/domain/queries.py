"""Filters and keyset pages for the operator's lists."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from collections.abc import Callable
from typing import Generic, TypeVar

from core.domain.errors import InvalidInput
from core.domain.model import DeliveryStatus, EventOrigin, EventStatus, LicenseStatus
from core.domain.notices import NoticeKind

T = TypeVar("T")
MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended: the sort time and id of its last item, newest first."""

    at: datetime
    id: str

    def encode(self) -> str:
        raw = json.dumps([self.at.isoformat(), self.id]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            at, id_ = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            return cls(datetime.fromisoformat(at), str(id_))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise InvalidInput("cursor", "not a cursor from an earlier page") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class PageRequest:
    after: Cursor | None = None
    limit: int = 50

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE:
            raise InvalidInput("limit", f"must be between 1 and {MAX_PAGE}")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next: Cursor | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenseFilter:
    email: str | None = None
    status: LicenseStatus | None = None
    product: str | None = None
    source: str | None = None
    test: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EventFilter:
    source: str | None = None
    kind: NoticeKind | None = None
    status: EventStatus | None = None
    origin: EventOrigin | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryFilter:
    status: DeliveryStatus | None = None
    license_id: str | None = None


def page_of(items: list[T], request: PageRequest, key: Callable[[T], tuple[datetime, str]]) -> Page[T]:
    """Cuts a list already sorted newest first and fetched with one item to spare."""
    if len(items) > request.limit:
        last = items[request.limit - 1]
        at, id_ = key(last)
        return Page(items[: request.limit], Cursor(at, id_))
    return Page(items)

