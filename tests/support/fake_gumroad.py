"""A local server that speaks Gumroad's Sales API (`GET /v2/sales`, `GET /v2/sales/:id`)
as Gumroad's own code does, built from the notes on that code (not from our client):

- the token in `Authorization: Bearer`, `?access_token=` or `?bearer_token=`; 401 and 403
  with empty bodies (401 with Doorkeeper's WWW-Authenticate);
- `page` validated first, then strict `before`/`after` (YYYY-MM-DD, UTC midnight, after
  inclusive, before exclusive), `product_id`, `order_id`; 400s in the `{"status", "error"}`
  envelope;
- listed states only (successful and free trials), newest first by (created_at, internal
  id), 10 a page; the 11th row decides whether `next_page_key`/`next_page_url` appear (the
  keys are absent on the last page); the cursor is `<YYYYMMDDHHMMSS>000000-<order_id>`;
- `show` finds a sale in any state; an unknown id is HTTP 200 `success:false`;
- sale objects with nil keys omitted before `paypal_refund_expired` and flags read live.

`script` holds faults for the next requests ("429:<retry-after>", "500", "hang",
"success-false", "401", "403", or "ok" for a normal answer), then normal answers;
`requests` logs every request.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

from aiohttp import web

TOKEN = "fake-gumroad-token-with-view-sales"
NO_SCOPE_TOKEN = "fake-gumroad-token-without-scopes"
SELLER_ID = "kL0psVL2admJSYRNs-OCMg=="
LISTED = {"successful", "free_trial"}
_MULT = 0x2F3B5  # odd: a bijection on 30-bit integers
_INV = pow(_MULT, -1, 1 << 30)
_SALT = 0x1D2C3B4A


def encode_id(internal: int) -> str:
    raw = b"fakegumroad!" + struct.pack(">I", internal ^ _SALT)
    return base64.urlsafe_b64encode(raw[:16]).decode()  # 16 bytes: 24 chars ending "=="


def decode_id(external: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(external.encode())
    except (ValueError, TypeError):
        return None
    if len(raw) != 16 or not raw.startswith(b"fakegumroad!"):
        return None
    return struct.unpack(">I", raw[12:])[0] ^ _SALT


def encode_order(internal: int) -> int:
    return (internal * _MULT) % (1 << 30)


def decode_order(order_id: int) -> int:
    return (order_id * _INV) % (1 << 30)


@dataclass
class FakeSale:
    internal_id: int
    product_id: str
    product_name: str
    email: str
    price: int
    created_at: datetime
    state: str = "successful"  # successful, free_trial, test_successful, gift_receiver, preorder_auth, failed
    full_name: str | None = None
    quantity: int = 1
    refunded: bool | None = False
    partially_refunded: bool = False
    disputed: bool = False
    dispute_won: bool = False
    chargedback: bool = False
    is_gift_sender_purchase: bool = False
    is_gift_receiver_purchase: bool = False
    giftee_email: str | None = None
    gifter_email: str | None = None
    gift_price: int | None = None
    subscription_id: str | None = None
    recurring_charge: bool = False
    variants: dict[str, str] = field(default_factory=dict)
    license_key: str | None = None

    @property
    def id(self) -> str:
        return encode_id(self.internal_id)

    @property
    def order_id(self) -> int:
        return encode_order(self.internal_id)

    def as_json(self, now: datetime) -> dict:
        """`Purchase#as_json(version: 2)`: nil keys dropped up to `paypal_refund_expired`."""
        head = {
            "id": self.id, "email": self.email, "seller_id": SELLER_ID,
            "timestamp": _ago(now - self.created_at), "daystamp": _daystamp(self.created_at),
            "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "product_name": self.product_name, "product_has_variants": bool(self.variants),
            "price": self.price, "gumroad_fee": round(self.price * 0.129) + 80 if self.price else 0,
            "is_bundle_purchase": False, "is_bundle_product_purchase": False,
            "subscription_duration": "monthly" if self.subscription_id else None,
            "formatted_display_price": f"${self.price / 100:g}", "formatted_total_price": f"${self.price / 100:g}",
            "currency_symbol": "$", "currency": "usd",
            "amount_refundable_in_currency": "0" if self.refunded or not self.price else f"{self.price / 100:g}",
            "product_id": self.product_id, "product_permalink": "fkprm",
            "refunded": self.refunded, "partially_refunded": self.partially_refunded,
            "chargedback": self.chargedback and not self.dispute_won, "purchase_email": self.email,
            "giftee_email": self.giftee_email, "gifter_email": self.gifter_email, "full_name": self.full_name,
            "country": "United States", "country_iso2": "US", "paid": self.price != 0,
            "has_variants": bool(self.variants), "variants": self.variants or None,
            "variants_and_quantity": f"({', '.join(self.variants.values())})" if self.variants else "",
            "has_custom_fields": False, "custom_fields": {}, "order_id": self.order_id,
            "is_product_physical": False, "is_recurring_billing": bool(self.subscription_id),
            "can_contact": True, "is_following": False, "disputed": self.disputed,
            "dispute_won": self.dispute_won, "is_additional_contribution": False,
            "discover_fee_charged": False, "is_upgrade_purchase": False, "is_more_like_this_recommended": False,
            "is_gift_sender_purchase": self.is_gift_sender_purchase,
            "is_gift_receiver_purchase": self.is_gift_receiver_purchase,
            "referrer": "direct", "paypal_refund_expired": False,
            "tax_cents": 0, "shipping_cents": 0, "access_revoked": False, "variants_price_cents": 0,
            "sent_abandoned_cart_email": False,
        }
        body = {k: v for k, v in head.items() if v is not None}
        body["card"] = {"visual": "**** **** **** 4242", "type": "visa", "bin": None,
                        "expiry_month": None, "expiry_year": None}
        body["product_rating"] = None
        if self.subscription_id:
            body.update({"subscription_id": self.subscription_id, "cancelled": False, "dead": False,
                         "ended": False, "free_trial_ended": None, "free_trial_ends_on": None,
                         "recurring_charge": self.recurring_charge})
        if self.license_key:
            body.update({"license_key": self.license_key, "license_id": encode_id(self.internal_id + 900000),
                         "license_disabled": False, "license_uses": 0, "is_multiseat_license": False})
        body["quantity"] = self.quantity
        return body

    def ping(self, resource_name: str = "sale", **extra: str) -> bytes:
        """The ping Gumroad sends for this sale (form-urlencoded, booleans as strings)."""
        pairs = [
            ("seller_id", SELLER_ID), ("product_id", self.product_id), ("product_name", self.product_name),
            ("permalink", "fkprm"), ("product_permalink", "https://seller.gumroad.com/l/fkprm"),
            ("short_product_id", "fkprm"), ("email", self.email), ("price", str(self.price)),
            ("gumroad_fee", "0"), ("currency", "usd"), ("quantity", str(self.quantity)),
            ("discover_fee_charged", "false"), ("can_contact", "true"), ("referrer", "direct"),
            ("card[visual]", "**** **** **** 4242"), ("card[type]", "visa"), ("card[bin]", ""),
            ("card[expiry_month]", ""), ("card[expiry_year]", ""), ("order_number", str(self.order_id)),
            ("sale_id", self.id), ("sale_timestamp", self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")),
        ]
        if self.full_name:
            pairs.append(("full_name", self.full_name))
        if self.subscription_id:
            pairs.append(("subscription_id", self.subscription_id))
        if self.recurring_charge:
            pairs.append(("is_recurring_charge", "true"))
        if self.state == "preorder_auth":
            pairs.append(("is_preorder_authorization", "true"))
        pairs += [(f"variants[{k}]", v) for k, v in self.variants.items()]
        if self.is_gift_receiver_purchase:
            pairs += [("gift_price", str(self.gift_price or 0)), ("gifter_email", self.gifter_email or "")]
        pairs += [
            ("is_gift_receiver_purchase", "true" if self.is_gift_receiver_purchase else "false"),
            ("refunded", "true" if self.refunded else "false"), ("resource_name", resource_name),
            ("disputed", "true" if self.disputed else "false"),
            ("dispute_won", "true" if self.dispute_won else "false"),
        ]
        if self.state == "test_successful":
            pairs.append(("test", "true"))
        pairs += list(extra.items())
        return urlencode(pairs, quote_via=quote).encode()


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} minutes ago"
    if minutes < 60 * 24:
        return f"about {minutes // 60} hours ago"
    return f"{minutes // (60 * 24)} days ago"


def _daystamp(at: datetime) -> str:
    pacific = at - timedelta(hours=8)
    return pacific.strftime("%e %b %Y %l:%M %p")


class FakeGumroad:
    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC).replace(microsecond=0)
        self.sales: dict[int, FakeSale] = {}
        self.script: list[str] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._ids = itertools.count(1001)
        self.url = ""
        self.app = web.Application()
        self.app.router.add_get("/v2/sales", self.index)
        self.app.router.add_get("/v2/sales.json", self.index)
        self.app.router.add_get("/v2/sales/{id}", self.show)

    # --- recording sales (in the order Gumroad made them: ids grow with time) ----------

    def add_sale(self, *, product_id: str, email: str, price: int = 2900, ago: timedelta = timedelta(hours=1),
                 product_name: str = "A product", state: str = "successful", **fields) -> FakeSale:
        sale = FakeSale(internal_id=next(self._ids), product_id=product_id, product_name=product_name,
                        email=email, price=price, state=state,
                        created_at=(self.now - ago).replace(microsecond=0), **fields)
        self.sales[sale.internal_id] = sale
        return sale

    def add_gift(self, *, product_id: str, gifter: str, giftee: str, price: int = 2900,
                 ago: timedelta = timedelta(hours=1), **fields) -> tuple[FakeSale, FakeSale]:
        """The gifter's listed, never-pinged row and the giftee's pinged, unlisted $0 copy."""
        sender = self.add_sale(product_id=product_id, email=gifter, price=price, ago=ago,
                               is_gift_sender_purchase=True, giftee_email=giftee, gifter_email=gifter, **fields)
        receiver = self.add_sale(product_id=product_id, email=giftee, price=0, ago=ago, state="gift_receiver",
                                 is_gift_receiver_purchase=True, giftee_email=giftee, gifter_email=gifter,
                                 gift_price=price, refunded=None, **fields)
        return sender, receiver

    # --- the API -----------------------------------------------------------------------

    async def _fault(self, request: web.Request) -> web.StreamResponse | None:
        self.requests.append((request.path, dict(request.query)))
        if not self.script:
            return None
        fault = self.script.pop(0)
        if fault in (None, "ok"):
            return None
        if fault == "hang":
            await asyncio.sleep(3600)
        if fault.startswith("429"):
            headers = {"Retry-After": fault.split(":", 1)[1]} if ":" in fault else {}
            return web.Response(status=429, text="Retry later\n", content_type="text/plain", headers=headers)
        if fault == "500":
            return web.Response(status=500, text="<html>We're sorry, but something went wrong.</html>",
                                content_type="text/html")
        if fault == "success-false":
            return web.json_response({"success": False, "message": "Something went wrong."})
        if fault == "401":
            return self._unauthorized()
        if fault == "403":
            return web.Response(status=403)
        return None

    def _unauthorized(self) -> web.Response:
        return web.Response(status=401, headers={
            "WWW-Authenticate": 'Bearer realm="Doorkeeper", error="invalid_token", '
                                'error_description="The access token is invalid"',
            "Cache-Control": "no-store", "Pragma": "no-cache"})

    def _auth(self, request: web.Request) -> web.Response | None:
        header = request.headers.get("Authorization", "")
        token = (header[7:] if header.startswith("Bearer ") else None) \
            or request.query.get("access_token") or request.query.get("bearer_token")
        if token == TOKEN:
            return None
        if token == NO_SCOPE_TOKEN:
            return web.Response(status=403)
        return self._unauthorized()

    @staticmethod
    def _bad(message: str) -> web.Response:
        return web.json_response({"status": 400, "error": message}, status=400)

    async def index(self, request: web.Request) -> web.StreamResponse:
        fault = await self._fault(request)
        if fault is not None:
            return fault
        denied = self._auth(request)
        if denied is not None:
            return denied
        q = request.query
        if "page" in q:
            try:
                page_number = int(q["page"])
            except ValueError:
                page_number = 0
            if page_number <= 0:
                return self._bad("Invalid page number. Page numbers start at 1.")
        bounds = {}
        for name in ("before", "after"):
            if name in q:
                try:
                    bounds[name] = datetime.strptime(q[name], "%Y-%m-%d").replace(tzinfo=UTC)
                except ValueError:
                    return self._bad(f"Invalid date format provided in field '{name}'. "
                                     "Dates must be in the format YYYY-MM-DD.")
        rows = [s for s in self.sales.values() if s.state in LISTED]
        if "product_id" in q:
            if decode_id(q["product_id"]) is None and not q["product_id"].endswith("=="):
                return self._bad("Invalid product ID.")
            rows = [s for s in rows if s.product_id == q["product_id"]]
        if "order_id" in q:
            raw = q["order_id"]
            if not raw.lstrip("-").isdigit() or str(int(raw)) != raw:
                return self._bad("Invalid order ID.")
            rows = [s for s in rows if s.order_id == int(raw)]
        if "after" in bounds:
            rows = [s for s in rows if s.created_at >= bounds["after"]]
        if "before" in bounds:
            rows = [s for s in rows if s.created_at < bounds["before"]]
        if q.get("email"):
            rows = [s for s in rows if s.email.lower() == q["email"].strip().lower()]
        rows.sort(key=lambda s: (s.created_at, s.internal_id), reverse=True)
        if "page" in q:
            rows = rows[(int(q["page"]) - 1) * 10:]
        elif "page_key" in q:
            stamp, _, order = q["page_key"].partition("-")
            if not order.isdigit() or int(order) == 0:
                return self._bad("Invalid page_key.")
            try:
                until = datetime.strptime(stamp[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
            except ValueError:
                return web.json_response({"success": True, "sales": []})
            below = decode_order(int(order))
            rows = [s for s in rows if s.created_at <= until and s.internal_id < below]
        rows = rows[:11]
        body: dict = {"success": True, "sales": [s.as_json(self.now) for s in rows[:10]]}
        if len(rows) == 11:
            last = rows[9]
            key = last.created_at.strftime("%Y%m%d%H%M%S") + "000000-" + str(last.order_id)
            kept = {k: v for k, v in q.items() if k not in ("access_token", "page", "page_key")}
            kept["page_key"] = key
            body["next_page_key"] = key
            body["next_page_url"] = f"{request.path}?{urlencode(sorted(kept.items()))}"
        return web.json_response(body)

    async def show(self, request: web.Request) -> web.StreamResponse:
        fault = await self._fault(request)
        if fault is not None:
            return fault
        denied = self._auth(request)
        if denied is not None:
            return denied
        internal = decode_id(request.match_info["id"])
        sale = self.sales.get(internal) if internal is not None else None
        if sale is None:
            return web.json_response({"success": False, "message": "The sale was not found."})
        return web.json_response({"success": True, "sale": sale.as_json(self.now)})
