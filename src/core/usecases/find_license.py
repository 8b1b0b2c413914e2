"""FindLicenses: the operator pastes what the buyer wrote — an email, an order id, a
license id or a key — and gets the licenses it names.

Rules:
- A key is recognised by its signature (expired keys too), and names its license.
- An address matches case-insensitively; order ids match on every source.
- Nothing found is an empty list, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.model import License
from core.domain.queries import LicenseFilter, PageRequest
from ports.clock import Clock
from ports.signer import KeyVerifier
from ports.unit_of_work import UnitOfWorkFactory

SOURCES = ("gumroad", "manual")
MAX_QUERY = 4096


@dataclass(frozen=True, slots=True, kw_only=True)
class FindLicensesCommand:
    query: str


class FindLicenses:
    def __init__(self, *, uow: UnitOfWorkFactory, verifier: KeyVerifier, clock: Clock) -> None:
        self._uow = uow
        self._verifier = verifier
        self._clock = clock

    async def __call__(self, cmd: FindLicensesCommand) -> list[License]:
        query = cmd.query.strip()
        if not query or len(query) > MAX_QUERY:
            return []
        async with self._uow() as uow:
            if query.startswith("LIC1."):
                check = self._verifier.check(query, now=self._clock.now().timestamp())
                if check.claims is None:
                    return []
                lic = await uow.licenses.get(str(check.claims.get("lid")))
                return [lic] if lic else []
            if "@" in query:
                page = await uow.licenses.search(LicenseFilter(email=query), PageRequest(limit=200))
                return list(page.items)
            found = []
            lic = await uow.licenses.get(query)
            if lic is not None:
                found.append(lic)
            for source in SOURCES:
                lic = await uow.licenses.get_by_order(source, query)
                if lic is not None and lic not in found:
                    found.append(lic)
            return found
