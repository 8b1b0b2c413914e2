#!/usr/bin/env python3
"""Smoke test for a running licensemint: posts a sample sale (a 3-seat test purchase with a
fresh sale id), checks that its event, license and history row exist in the database, that a
wrong secret gets 404, that posting the sale again leaves one license, and that three
machines activate, a fourth is refused until one is deactivated.

    DATABASE_URL=... .venv/bin/python scripts/smoke.py --url http://127.0.0.1:8080 --secret S

DATABASE_URL is the one the server uses (default: the embedded SQLite under ./var).
Exit 0 when every check passes; otherwise 1, naming the check.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import sqlalchemy as sa  # noqa: E402

from adapters.sql.engine import create_engine  # noqa: E402
from adapters.sql.tables import events, license_history, licenses  # noqa: E402
from entrypoints.settings import load_settings  # noqa: E402

SAMPLE = ROOT / "tests" / "fixtures" / "gumroad" / "01_sale_licensed_basic.txt"


def post(url: str, body: bytes) -> int:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


async def rows(database_url: str, sale_id: str) -> tuple[list, list, list]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            lics = list(await conn.execute(sa.select(licenses).where(licenses.c.order_id == sale_id)))
            evts = list(await conn.execute(sa.select(events).where(events.c.external_id == sale_id)))
            hist = list(await conn.execute(
                sa.select(license_history).where(license_history.c.license_id.in_([lic.id for lic in lics]))
            ))
    finally:
        await engine.dispose()
    return lics, evts, hist


def call(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def machines(base: str, key: str, check) -> None:
    run = secrets.token_hex(4)
    fingerprints = [f"smoke-{run}-machine-{i}" for i in range(4)]
    answers = [call(f"{base}/v1/licenses/activate", {"key": key, "fingerprint": fp}) for fp in fingerprints[:3]]
    check("three machines activate", [s for s, _ in answers] == [201] * 3, str(answers))
    check("each gets a lease", all(b.get("lease", "").startswith("LEASE1.") for _, b in answers))
    status, body = call(f"{base}/v1/licenses/activate", {"key": key, "fingerprint": fingerprints[3]})
    check("a fourth is refused", (status, body.get("code")) == (409, "TOO_MANY_MACHINES"), f"{status} {body}")
    status, body = call(f"{base}/v1/licenses/deactivate", {"key": key, "fingerprint": fingerprints[0]})
    check("deactivating frees a seat", status == 200, f"{status} {body}")
    status, body = call(f"{base}/v1/licenses/activate", {"key": key, "fingerprint": fingerprints[3]})
    check("then the fourth activates", status == 201, f"{status} {body}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the server's base URL")
    parser.add_argument("--secret", required=True, help="one of GUMROAD_WEBHOOK_SECRETS")
    parser.add_argument("--email", default="smoke-test@example.com", help="buyer address for the test sale")
    args = parser.parse_args()
    database_url = load_settings().database_url
    sale_id = f"smoke-{secrets.token_hex(6)}=="
    body = (
        SAMPLE.read_bytes().strip()
        .replace(b"FO8TXN-dbxYaBdahG97Y-Q%3D%3D", quote(sale_id).encode())
        .replace(b"jane.doe%40example.com", quote(args.email).encode())
        .replace(b"&quantity=1&", b"&quantity=3&")
        + b"&test=true"
    )
    hook = f"{args.url.rstrip('/')}/webhooks/gumroad"
    failures = []

    def check(name: str, ok: bool, detail: str = "") -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}")
        if not ok:
            failures.append(name)

    check("health answers 200", urllib.request.urlopen(f"{args.url.rstrip('/')}/health", timeout=5).status == 200)
    status = post(f"{hook}?secret={quote(args.secret)}", body)
    check("sale ping answers 200", status == 200, f"got {status}")
    check("wrong secret answers 404", post(f"{hook}?secret=wrong-{secrets.token_hex(4)}", body) == 404)
    check("missing secret answers 404", post(hook, body) == 404)
    status = post(f"{hook}?secret={quote(args.secret)}", body)
    check("duplicate ping answers 200", status == 200, f"got {status}")

    deadline = time.monotonic() + (10 if not failures else 0)
    while True:
        lics, evts, hist = asyncio.run(rows(database_url, sale_id))
        if (lics and len(evts) >= 2) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    check("both pings stored as events", len(evts) == 2, f"found {len(evts)}")
    check("events processed", all(e.status == "processed" for e in evts), str([e.outcome for e in evts]))
    check("exactly one license", len(lics) == 1, f"found {len(lics)}")
    check("license is active and tagged test", bool(lics) and lics[0].status == "active" and bool(lics[0].test))
    check("history row records the mint", len(hist) == 1 and hist[0].actor_type == "event", f"found {len(hist)}")
    if lics:
        machines(args.url.rstrip("/"), lics[0].key, check)
    print("smoke test passed" if not failures else f"smoke test FAILED: {', '.join(failures)}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
