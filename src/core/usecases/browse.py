"""The operator's read-only views: lists with filters and pages, and one record in full.

Rules:
- Lists are newest first and page by cursor, never by offset, so a page never repeats or
  skips a record while new ones arrive.
- An unknown id is NotFound, naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.domain.errors import NotFound
from core.domain.model import Delivery, DeliveryAttempt, Event, HistoryEntry, License
from core.domain.queries import DeliveryFilter, EventFilter, LicenseFilter, Page, PageRequest
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True, kw_only=True)
class ListCommand:
    where: LicenseFilter | EventFilter | DeliveryFilter
    page: PageRequest = PageRequest()


@dataclass(frozen=True, slots=True, kw_only=True)
class ShowCommand:
    id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryDetail:
    delivery: Delivery
    attempts: Sequence[DeliveryAttempt]


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenseDetail:
    license: License
    history: Sequence[HistoryEntry]
    deliveries: Sequence[DeliveryDetail]


class _List:
    repository = ""

    def __init__(self, *, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, cmd: ListCommand) -> Page[Any]:
        async with self._uow() as uow:
            page: Page[Any] = await getattr(uow, self.repository).search(cmd.where, cmd.page)
            return page


class ListLicenses(_List):
    repository = "licenses"


class ListEvents(_List):
    repository = "events"


class ListDeliveries(_List):
    repository = "deliveries"


class ShowLicense:
    def __init__(self, *, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, cmd: ShowCommand) -> LicenseDetail:
        async with self._uow() as uow:
            return await license_detail(uow, cmd.id)


async def license_detail(uow: UnitOfWork, license_id: str) -> LicenseDetail:
    """A license with its history and its deliveries with their attempts, read in `uow`."""
    lic = await uow.licenses.get(license_id)
    if lic is None:
        raise NotFound(f"no license {license_id}")
    deliveries = [
        DeliveryDetail(delivery=d, attempts=await uow.deliveries.attempts(d.id))
        for d in await uow.deliveries.for_license(lic.id)
    ]
    return LicenseDetail(license=lic, history=await uow.history.for_license(lic.id), deliveries=deliveries)


class ShowEvent:
    def __init__(self, *, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, cmd: ShowCommand) -> Event:
        async with self._uow() as uow:
            event = await uow.events.get(cmd.id)
        if event is None:
            raise NotFound(f"no event {cmd.id}")
        return event
