"""Overview: the numbers on the console's first page.

Rules:
- Licenses minted today (UTC) and in the last seven days, and how many of them came from a
  sale (any source but `manual`); failed events; dead deliveries; the outbox (pending
  deliveries) and the age of its oldest email.
- Counts go up to COUNT_CAP and then say so (`capped`), so the page stays cheap on a big
  database.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sized
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from core.domain.model import DeliveryStatus, EventStatus
from core.domain.queries import DeliveryFilter, EventFilter, LicenseFilter, MAX_PAGE, Page, PageRequest
from ports.clock import Clock
from ports.unit_of_work import UnitOfWorkFactory

F = TypeVar("F", contravariant=True)
R = TypeVar("R")

COUNT_CAP = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class Count:
    n: int
    capped: bool = False

    def __str__(self) -> str:
        return f"{self.n}+" if self.capped else str(self.n)


@dataclass(frozen=True, slots=True, kw_only=True)
class OverviewCommand:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class OverviewView:
    minted_today: Count
    sales_today: Count
    minted_week: Count
    sales_week: Count
    failed_events: Count
    dead_deliveries: Count
    outbox: Count
    oldest_pending_at: datetime | None
    now: datetime


class Overview:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, cmd: OverviewCommand) -> OverviewView:
        now = self._clock.now()
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        async with self._uow() as uow:
            day = await _all(uow.licenses, LicenseFilter(created_from=today))
            week = await _all(uow.licenses, LicenseFilter(created_from=now - timedelta(days=7)))
            failed = await _all(uow.events, EventFilter(status=EventStatus.FAILED))
            dead = await _all(uow.deliveries, DeliveryFilter(status=DeliveryStatus.DEAD))
            pending = await _all(uow.deliveries, DeliveryFilter(status=DeliveryStatus.PENDING))
        return OverviewView(
            minted_today=_count(day[0], day[1]), sales_today=_count([x for x in day[0] if x.source != "manual"], day[1]),
            minted_week=_count(week[0], week[1]),
            sales_week=_count([x for x in week[0] if x.source != "manual"], week[1]),
            failed_events=_count(*failed), dead_deliveries=_count(*dead), outbox=_count(*pending),
            oldest_pending_at=min((d.created_at for d in pending[0]), default=None), now=now,
        )


def _count(items: Sized, capped: bool) -> Count:
    return Count(n=len(items), capped=capped)


class _Searchable(Protocol[F, R]):
    async def search(self, where: F, page: PageRequest) -> Page[R]: ...


async def _all(repository: _Searchable[F, R], where: F) -> tuple[list[R], bool]:
    items: list[R] = []
    page = PageRequest(limit=MAX_PAGE)
    while True:
        found = await repository.search(where, page)
        items.extend(found.items)
        if found.next is None:
            return items, False
        if len(items) >= COUNT_CAP:
            return items, True
        page = PageRequest(after=found.next, limit=MAX_PAGE)
