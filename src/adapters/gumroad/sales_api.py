"""GumroadSalesApi: Gumroad's Sales API (`GET /v2/sales`, `GET /v2/sales/:id`) over aiohttp.

Gumroad's quirks, as its code has them (see docs/operations.md): 401 and 403 come with
empty bodies; errors are often HTTP 200 with `"success": false` (a sale that does not
exist is one); 400s use another envelope (`{"status": 400, "error": ...}`); the cursor is
`page_key`, and the last page has no `next_page_key` at all. Rate limits (429, with
`Retry-After`) and 5xx are retried with backoff, as are timeouts and lost connections.
The token travels in the Authorization header, never in a URL, and never in a message.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

import aiohttp

from core.domain.sales import ListedSale, SalesPage
from ports.sales_api import SalesApiRefused, SalesApiUnavailable

log = logging.getLogger(__name__)

RETRYABLE = {408, 429, 500, 502, 503, 504}
NOT_FOUND = "The sale was not found."


class GumroadSalesApi:
    def __init__(
        self,
        token: str,
        base_url: str = "https://api.gumroad.com",
        *,
        timeout_seconds: float = 20.0,
        retries: int = 3,
        backoff_seconds: float = 1.0,
        max_wait_seconds: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._token = token
        self._base = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._retries = retries
        self._backoff = backoff_seconds
        self._max_wait = max_wait_seconds
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None

    def describe(self) -> str:
        return f"Gumroad Sales API at {self._base}"

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def list_sales(self, *, after: date, page_key: str | None = None) -> SalesPage:
        params = {"after": after.isoformat()}
        if page_key:
            params["page_key"] = page_key
        body = await self._get("/v2/sales", params)
        if body.get("success") is not True:
            raise SalesApiRefused(f"Gumroad answered success:false: {body.get('message') or 'no message'}")
        rows = body.get("sales")
        if not isinstance(rows, list):
            raise SalesApiRefused("Gumroad's answer has no list of sales")
        next_key = body.get("next_page_key")
        return SalesPage(sales=tuple(parse_sale(r) for r in rows), next_page_key=str(next_key) if next_key else None)

    async def get_sale(self, sale_id: str) -> ListedSale | None:
        body = await self._get(f"/v2/sales/{quote(sale_id, safe='')}", {})
        if body.get("success") is not True:
            if body.get("message") == NOT_FOUND:
                return None
            raise SalesApiRefused(f"Gumroad answered success:false: {body.get('message') or 'no message'}")
        sale = body.get("sale")
        if not isinstance(sale, dict):
            raise SalesApiRefused("Gumroad's answer has no sale")
        return parse_sale(sale)

    async def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        attempt = 0
        while True:
            attempt += 1
            try:
                status, headers, text = await self._request(path, params)
            except (aiohttp.ClientError, TimeoutError) as exc:
                problem = "timed out" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
                if attempt > self._retries:
                    raise SalesApiUnavailable(f"GET /v2/{_kind(path)}: {problem} after {attempt} tries") from None
                await self._sleep(self._backoff * 2 ** (attempt - 1))
                continue
            if status in RETRYABLE:
                if attempt > self._retries:
                    raise SalesApiUnavailable(f"GET /v2/{_kind(path)}: HTTP {status} after {attempt} tries")
                await self._sleep(self._wait(headers.get("Retry-After"), attempt))
                continue
            if status == 401:
                raise SalesApiRefused("HTTP 401: GUMROAD_ACCESS_TOKEN is invalid, revoked or expired")
            if status == 403:
                raise SalesApiRefused("HTTP 403: GUMROAD_ACCESS_TOKEN lacks the view_sales scope")
            body = _json(text)
            if status == 400:
                raise SalesApiRefused(f"HTTP 400: {body.get('error') if body else 'bad request'}")
            if status != 200 or body is None:
                raise SalesApiRefused(f"HTTP {status}: unexpected answer from Gumroad")
            return body

    async def _request(self, path: str, params: dict[str, str]) -> tuple[int, Any, str]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        async with self._session.get(self._base + path, params=params, headers=headers) as response:
            return response.status, response.headers, await response.text()

    def _wait(self, retry_after: str | None, attempt: int) -> float:
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), self._max_wait)
            except ValueError:
                pass
        return min(float(self._backoff * 2 ** (attempt - 1)), self._max_wait)


def _kind(path: str) -> str:
    return "sales/:id" if path.count("/") > 2 else "sales"


def _json(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text) if text.strip() else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _text(row: dict[str, Any], key: str) -> str | None:
    value = row.get(key)
    return str(value) if value not in (None, "") else None


def parse_sale(row: Any) -> ListedSale:
    """A sale object of the Sales API; keys Gumroad omits when nil are optional here."""
    if not isinstance(row, dict) or not row.get("id") or not row.get("product_id"):
        raise SalesApiRefused("Gumroad sent a sale without id or product_id")
    try:
        created = datetime.fromisoformat(str(row["created_at"]).replace("Z", "+00:00"))
        price = int(row.get("price") or 0)
        quantity = int(row.get("quantity") or 1)
    except (KeyError, TypeError, ValueError) as exc:
        raise SalesApiRefused(f"Gumroad sent sale {row.get('id')!r} with a bad field: {exc}") from None
    variants = row.get("variants") if isinstance(row.get("variants"), dict) else {}
    order_id = row.get("order_id")
    return ListedSale(
        id=str(row["id"]),
        product_id=str(row["product_id"]),
        product_name=str(row.get("product_name") or ""),
        purchase_email=str(row.get("purchase_email") or row.get("email") or ""),
        full_name=_text(row, "full_name"),
        price_cents=price,
        quantity=max(quantity, 1),
        created_at=created if created.tzinfo else created.replace(tzinfo=UTC),
        order_number=str(order_id) if order_id is not None else None,
        currency=_text(row, "currency"),
        subscription_id=_text(row, "subscription_id"),
        recurring_charge=row.get("recurring_charge") is True,
        variants={str(k): str(v) for k, v in (variants or {}).items()},
        refunded=row.get("refunded") is True,  # absent when never charged
        partially_refunded=row.get("partially_refunded") is True,
        chargedback=row.get("chargedback") is True,
        disputed=row.get("disputed") is True,
        dispute_won=row.get("dispute_won") is True,
        is_gift_sender_purchase=row.get("is_gift_sender_purchase") is True,
        is_gift_receiver_purchase=row.get("is_gift_receiver_purchase") is True,
        giftee_email=_text(row, "giftee_email"),
        gifter_email=_text(row, "gifter_email"),
    )
