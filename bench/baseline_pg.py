"""The physical limit of aiohttp + asyncpg for licensemint's two HTTP paths: the smallest
honest program doing the same durable work, with none of licensemint's layers.

POST /webhooks/gumroad: the secret compared, the body stored and committed (commit 1);
then the sale parsed, an Ed25519 key signed, and the license, its history row, its
delivery and the event's outcome written in one transaction (commit 2) — the same rows in
the same tables and commits as licensemint. POST /v1/licenses/validate: the signature
checked and the license's status read.
"""

from __future__ import annotations

import argparse
import hmac
import json
import secrets
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import asyncpg
from aiohttp import web

from bench.baseline_common import check_key, sign_key, signing_key

SECRET = "bench-secret-0123456789abcdef"


async def webhook(request: web.Request) -> web.Response:
    if not hmac.compare_digest(request.query.get("secret", "").encode(), SECRET.encode()):
        raise web.HTTPNotFound()
    body = await request.read()
    pool: asyncpg.Pool = request.app["pool"]
    now = datetime.now(UTC)
    event_id = "evt_" + secrets.token_urlsafe(15)
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO events (id, source, body, content_type, received_at, status, attempts) "
            "VALUES ($1, 'gumroad', $2, $3, $4, 'received', 0)",
            event_id, body, request.headers.get("Content-Type", ""), now,
        )
        form = dict(parse_qsl(body.decode()))
        license_id = "lic_" + secrets.token_urlsafe(15)
        key, kid = sign_key(license_id, "acmesoft-pro", "desktop", int(form.get("quantity", "1")),
                            form.get("full_name", ""), now)
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO licenses (id, source, order_id, product, tier, seats, email, licensee, test, status, "
                "key, kid, issued_at, created_at, updated_at) VALUES ($1, 'gumroad', $2, 'acmesoft-pro', "
                "'desktop', $3, $4, $5, false, 'active', $6, $7, $8, $8, $8)",
                license_id, form["sale_id"], int(form.get("quantity", "1")), form["email"],
                form.get("full_name", ""), key, kid, now,
            )
            await conn.execute(
                "INSERT INTO license_history (license_id, at, to_status, reason, actor_type, actor_id) "
                "VALUES ($1, $2, 'active', 'minted from sale', 'event', $3)", license_id, now, event_id,
            )
            await conn.execute(
                "INSERT INTO deliveries (id, license_id, recipient, status, attempts, created_at, next_attempt_at) "
                "VALUES ($1, $2, $3, 'pending', 0, $4, $4)",
                "dlv_" + secrets.token_urlsafe(15), license_id, form["email"], now,
            )
            await conn.execute(
                "UPDATE events SET status='processed', kind='sale', external_id=$2, outcome=$3, attempts=1, "
                "processed_at=$4 WHERE id=$1", event_id, form["sale_id"], f"minted {license_id}", now,
            )
    return web.json_response({"received": event_id})


async def validate(request: web.Request) -> web.Response:
    key = (await request.json())["key"]
    code, lid = check_key(key)
    if lid is not None:
        row = await request.app["pool"].fetchrow("SELECT status FROM licenses WHERE id = $1", lid)
        code = "UNKNOWN" if row is None else {"active": "VALID"}.get(row["status"], row["status"].upper())
    return web.json_response({"code": code})


async def main_app(dsn: str) -> web.Application:
    app = web.Application()
    app["pool"] = await asyncpg.create_pool(dsn, min_size=10, max_size=10)
    app.router.add_post("/webhooks/gumroad", webhook)
    app.router.add_post("/v1/licenses/validate", validate)
    signing_key()
    return app


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dsn", required=True)
    args = p.parse_args()
    web.run_app(main_app(args.dsn), host="127.0.0.1", port=args.port, access_log=None, print=lambda *_: print(
        "ready", flush=True))


if __name__ == "__main__":
    main()
