"""Behind a trusted proxy each buyer has a rate limit of their own (issue 11, item 14)."""

from __future__ import annotations

import ipaddress

import pytest

from entrypoints.http.clients import client_address

PROXY = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32")]


@pytest.mark.parametrize(("remote", "forwarded", "networks", "client"), [
    ("10.0.0.5", ["203.0.113.7"], PROXY, "203.0.113.7"),
    ("10.0.0.5", ["198.51.100.1, 203.0.113.7"], PROXY, "203.0.113.7"),  # left of it: the client's own claim
    ("10.0.0.5", ["203.0.113.7, 10.0.0.9"], PROXY, "203.0.113.7"),  # two trusted hops
    ("10.0.0.5", ["not-an-address"], PROXY, "10.0.0.5"),
    ("10.0.0.5", [], PROXY, "10.0.0.5"),
    ("203.0.113.7", ["1.2.3.4"], PROXY, "203.0.113.7"),  # not from a proxy: the header is ignored
    ("10.0.0.5", ["203.0.113.7"], [], "10.0.0.5"),  # no proxy configured: never trusted
])
def test_the_client_is_the_rightmost_address_not_a_trusted_proxy(remote, forwarded, networks, client):
    assert client_address(remote, forwarded, networks) == client


async def validate(service, forwarded_for: str) -> int:
    response = await service.client.post("/v1/licenses/validate", json={"key": "LIC1.x.y.z"},
                                         headers={"X-Forwarded-For": forwarded_for})
    return response.status


async def test_behind_a_trusted_proxy_buyers_are_limited_one_by_one(start_service, sqlite_url):
    service = await start_service(sqlite_url, worker=False, VALIDATE_RATE_LIMIT="2", TRUSTED_PROXIES="127.0.0.1")
    assert [await validate(service, "203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert await validate(service, "203.0.113.2") == 200
    assert await validate(service, "198.51.100.9, 203.0.113.1") == 429  # a spoofed left part changes nothing


async def test_without_trusted_proxies_the_header_is_ignored(start_service, sqlite_url):
    service = await start_service(sqlite_url, worker=False, VALIDATE_RATE_LIMIT="2")
    statuses = [await validate(service, f"203.0.113.{i}") for i in range(3)]
    assert statuses == [200, 200, 429]
