"""The physical limit of aiohttp + sqlite3 for the webhook path: the same rows in the same
two commits as licensemint, the same pragmas (WAL, synchronous=FULL), the same signature,
on one connection used from the event loop."""

from __future__ import annotations

import argparse
import hmac
import secrets
import sqlite3
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from aiohttp import web

from bench.baseline_common import sign_key, signing_key

SECRET = "bench-secret-0123456789abcdef"


def fmt(now: datetime) -> str:
    return now.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


async def webhook(request: web.Request) -> web.Response:
    if not hmac.compare_digest(request.query.get("secret", "").encode(), SECRET.encode()):
        raise web.HTTPNotFound()
    body = await request.read()
    db: sqlite3.Connection = request.app["db"]
    now = fmt(datetime.now(UTC))
    event_id = "evt_" + secrets.token_urlsafe(15)
    with db:
        db.execute(
            "INSERT INTO events (id, source, body, content_type, received_at, status, attempts) "
            "VALUES (?, 'gumroad', ?, ?, ?, 'received', 0)",
            (event_id, body, request.headers.get("Content-Type", ""), now),
        )
    form = dict(parse_qsl(body.decode()))
    license_id = "lic_" + secrets.token_urlsafe(15)
    seats = int(form.get("quantity", "1"))
    key, kid = sign_key(license_id, "acmesoft-pro", "desktop", seats, form.get("full_name", ""), datetime.now(UTC))
    with db:
        db.execute(
            "INSERT INTO licenses (id, source, order_id, product, tier, seats, email, licensee, test, status, key, "
            "kid, issued_at, created_at, updated_at) VALUES (?, 'gumroad', ?, 'acmesoft-pro', 'desktop', ?, ?, ?, 0, "
            "'active', ?, ?, ?, ?, ?)",
            (license_id, form["sale_id"], seats, form["email"], form.get("full_name", ""), key, kid, now, now, now),
        )
        db.execute(
            "INSERT INTO license_history (license_id, at, to_status, reason, actor_type, actor_id) "
            "VALUES (?, ?, 'active', 'minted from sale', 'event', ?)", (license_id, now, event_id),
        )
        db.execute(
            "INSERT INTO deliveries (id, license_id, recipient, status, attempts, created_at, next_attempt_at) "
            "VALUES (?, ?, ?, 'pending', 0, ?, ?)", ("dlv_" + secrets.token_urlsafe(15), license_id, form["email"], now, now),
        )
        db.execute(
            "UPDATE events SET status='processed', kind='sale', external_id=?, outcome=?, attempts=1, processed_at=? "
            "WHERE id=?", (form["sale_id"], f"minted {license_id}", now, event_id),
        )
    return web.json_response({"received": event_id})


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", required=True)
    args = p.parse_args()
    db = sqlite3.connect(args.path, isolation_level="IMMEDIATE", check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    signing_key()
    app = web.Application()
    app["db"] = db
    app.router.add_post("/webhooks/gumroad", webhook)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=lambda *_: print("ready", flush=True))


if __name__ == "__main__":
    main()
