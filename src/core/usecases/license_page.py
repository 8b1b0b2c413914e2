"""LicensePage: everything the operator's license page shows, read in one unit of work —
the license, its history, deliveries with attempts, machines with their history, and the
price the sale event reported.

Rules:
- An unknown license is NotFound.
- The price comes from the first sale event of the license's order, as its platform's
  parser reads it; a hand-minted license, or an event that no longer parses, has none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.domain.activation import Activation, ActivationRecord
from core.domain.errors import DomainError
from core.domain.model import Event
from core.domain.notices import NoticeKind, SaleNotice
from core.usecases.browse import LicenseDetail, ShowCommand, license_detail
from ports.parser import NoticeParser
from ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True, kw_only=True)
class Price:
    cents: int
    currency: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LicensePageView:
    detail: LicenseDetail
    activations: Sequence[Activation]
    activation_history: Sequence[ActivationRecord]
    price: Price | None


class LicensePage:
    def __init__(self, *, uow: UnitOfWorkFactory, parsers: Mapping[str, NoticeParser]) -> None:
        self._uow = uow
        self._parsers = parsers

    async def __call__(self, cmd: ShowCommand) -> LicensePageView:
        async with self._uow() as uow:
            detail = await license_detail(uow, cmd.id)
            lic = detail.license
            if lic.price_cents is not None:  # the license records what was paid (since 0003)
                price: Price | None = Price(cents=lic.price_cents, currency=lic.currency)
            else:
                price = self._price(lic.source, await uow.events.for_external_id(lic.source, lic.order_id))
            return LicensePageView(
                detail=detail, activations=await uow.activations.for_license(lic.id),
                activation_history=await uow.activations.records(lic.id), price=price,
            )

    def _price(self, source: str, events: Sequence[Event]) -> Price | None:
        parser = self._parsers.get(source)
        if parser is None:
            return None
        for event in events:
            try:
                notice = parser.parse(event.body, event.content_type)
            except DomainError:
                continue
            if isinstance(notice, SaleNotice) and notice.kind is NoticeKind.SALE and notice.price_cents is not None:
                return Price(cents=notice.price_cents, currency=notice.currency)
        return None
