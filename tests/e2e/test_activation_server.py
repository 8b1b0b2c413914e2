"""Seats under real concurrency: a running `licensemint serve` on SQLite and on PostgreSQL,
fifty machines activating one 3-seat license at the same moment."""

from __future__ import annotations

import asyncio
import json
import urllib.request

import aiohttp
import pytest

from tests.bodies import sale_body
from tests.conftest import ADMIN_TOKEN, WEBHOOK_SECRET
from tests.e2e.test_server_process import Server


def admin_get(server: Server, path: str) -> dict:
    request = urllib.request.Request(server.base + path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


async def activate_all(base: str, key: str, fingerprints: list[str]) -> list[tuple[int, dict]]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        start = asyncio.Event()

        async def one(fp: str):
            await start.wait()
            async with session.post(f"{base}/v1/licenses/activate", json={"key": key, "fingerprint": fp}) as r:
                return r.status, await r.json()

        tasks = [asyncio.create_task(one(fp)) for fp in fingerprints]
        await asyncio.sleep(0)
        start.set()
        return await asyncio.gather(*tasks)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request, tmp_path):
    env = {"ADMIN_TOKENS": f"alice:{ADMIN_TOKEN}", "ACTIVATION_RATE_LIMIT": "0"}
    if request.param == "postgres":
        env["DATABASE_URL"] = request.getfixturevalue("postgres_url")
    running = Server(tmp_path, **env)
    assert f"database: {request.param}" in "".join(running.banner)
    yield running
    assert running.stop() == 0


def test_fifty_simultaneous_activations_on_a_three_seat_license_give_exactly_three_seats(server):
    assert server.post(f"/webhooks/gumroad?secret={WEBHOOK_SECRET}", sale_body(quantity="3")) == 200
    [lic] = admin_get(server, "/admin/licenses")["items"]
    assert lic["seats"] == 3

    answers = asyncio.run(activate_all(server.base, lic["key"], [f"concurrent-machine-{i:03d}" for i in range(50)]))

    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] * 3 + [409] * 47, statuses
    assert all(body == {"code": "TOO_MANY_MACHINES", "reason": body["reason"], "seats": 3, "active": 3}
               for status, body in answers if status == 409)
    listed = admin_get(server, f"/admin/licenses/{lic['id']}/activations")
    assert (listed["active"], len(listed["items"])) == (3, 3)
    assert [h["action"] for h in listed["history"]] == ["activated"] * 3
    assert lic["key"] not in server.log
