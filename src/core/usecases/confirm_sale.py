"""ConfirmSaleWithApi: a sale ping is trusted only once the platform's API agrees.

Rules:
- The sale is fetched by its id (`GET /v2/sales/:id` finds it in any state, test purchases
  and gift receivers' copies included).
- Confirmed only when the API's sale has the ping's product, the ping's buyer email (the
  API's `purchase_email`, compared case-insensitively) and the ping's price. A gift
  receiver's ping carries price 0 and the gift's price in `gift_price`: either matches.
- A sale the API does not know, or knows with another product, buyer or price, is
  UNKNOWN: the event fails with a reason starting "unconfirmed".
- When the API cannot be asked (down, slow past the deadline, rate-limited, refusing the
  token), the verdict is UNREACHABLE: the event waits and is asked about again, never lost.
"""

from __future__ import annotations

import asyncio

from core.domain.notices import SaleNotice
from core.domain.sales import ListedSale
from ports.sale_confirmer import Confirmation, Verdict
from ports.sales_api import SalesApi, SalesApiError


class ConfirmSaleWithApi:
    def __init__(self, *, sales: SalesApi, deadline_seconds: float = 3.0) -> None:
        self._sales = sales
        self._deadline = deadline_seconds

    async def confirm(self, source: str, sale: SaleNotice) -> Confirmation:
        try:
            listed = await asyncio.wait_for(self._sales.get_sale(sale.sale_id), self._deadline)
        except TimeoutError:
            return Confirmation(verdict=Verdict.UNREACHABLE, reason=f"no answer from {source} within {self._deadline:g}s")
        except SalesApiError as exc:
            return Confirmation(verdict=Verdict.UNREACHABLE, reason=str(exc))
        if listed is None:
            return Confirmation(verdict=Verdict.UNKNOWN, reason=f"{source} does not know sale {sale.sale_id}")
        problem = mismatch(sale, listed)
        if problem:
            return Confirmation(verdict=Verdict.UNKNOWN, reason=f"{source}'s sale {sale.sale_id} {problem}")
        return Confirmation(verdict=Verdict.CONFIRMED)


def mismatch(sale: SaleNotice, listed: ListedSale) -> str | None:
    """What differs between a ping and the platform's record of the sale, or None."""
    if listed.product_id != sale.product_id:
        return f"is for product {listed.product_id!r}, not {sale.product_id!r}"
    if listed.purchase_email.strip().lower() != sale.email.strip().lower():
        return "was made with another email address"
    prices = {sale.price_cents}
    if sale.is_gift_receiver_purchase and sale.gift_price_cents is not None:
        prices.add(sale.gift_price_cents)
    if listed.price_cents not in prices:
        return f"cost {listed.price_cents} cents, not {sale.price_cents}"
    return None
