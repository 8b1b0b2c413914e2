"""A payment platform's own list of sales, for reconciliation and for confirming a ping."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from core.domain.sales import ListedSale, SalesPage


class SalesApiError(Exception):
    """The platform's API could not answer the question."""


class SalesApiUnavailable(SalesApiError):
    """The platform could not be reached or kept failing (timeouts, 5xx, rate limits) after
    the adapter's retries: asking again later may work."""


class SalesApiRefused(SalesApiError):
    """The platform refused the request (bad or under-scoped token, an error answer):
    asking again will not help until the configuration changes."""


class SalesApi(Protocol):
    async def list_sales(self, *, after: date, page_key: str | None = None) -> SalesPage:
        """One page of the sales created on or after `after` (UTC), newest first;
        `page_key` continues from an earlier page's `next_page_key`. Sales the platform
        never lists (test purchases, gift receivers' copies, preorder authorisations) are
        not in it. Raises SalesApiUnavailable or SalesApiRefused."""

    async def get_sale(self, sale_id: str) -> ListedSale | None:
        """The sale with this id in any state, or None when the platform does not know it
        (for this seller). Raises SalesApiUnavailable or SalesApiRefused."""

    async def close(self) -> None: ...
