"""What the HTTP surface gives away, and to whom (issue 11, items 1 and 16)."""

from __future__ import annotations

import dataclasses

import pytest
from aiohttp.test_utils import TestServer

from entrypoints.http.app import RUNNER_OPTIONS, create_app
from tests.conftest import ADMIN_TOKEN, WEBHOOK_SECRET


async def test_an_empty_bearer_is_never_authenticated_even_if_an_empty_token_slipped_in(
    start_service, sqlite_url, aiohttp_client
):
    service = await start_service(sqlite_url, worker=False)
    container = service.container
    slipped = dataclasses.replace(container.settings(), admin_tokens=("alice:", "bob: "))
    container.settings.override(slipped)
    server = TestServer(create_app(container, worker=False))
    await server.start_server(**RUNNER_OPTIONS)
    client = await aiohttp_client(server)
    for header in ("Bearer ", "Bearer", "bearer  ", ""):
        for method, path in (("GET", "/admin/licenses"), ("POST", "/admin/licenses")):
            response = await client.request(method, path, headers={"Authorization": header},
                                            json={"product": "acmesoft-pro", "email": "x@example.com"})
            assert response.status == 401, (header, method, path)


@pytest.mark.parametrize("path", ["/health", "/ready", "/v1/keys", "/openapi.json", "/nowhere",
                                  f"/webhooks/gumroad?secret={WEBHOOK_SECRET}x"])
async def test_every_answer_carries_the_security_headers_and_no_server_version(service, path):
    response = await service.client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Server"] == "licensemint"
    assert "aiohttp" not in str(response.headers) and "Python" not in str(response.headers)


async def test_public_health_says_only_ok_and_the_admin_sees_the_mail_state(service):
    public = await service.client.get("/health")
    assert await public.json() == {"status": "ok"}
    wrong = await service.client.get("/health", headers={"Authorization": "Bearer not-a-token-at-all"})
    assert await wrong.json() == {"status": "ok"}
    admin = await service.client.get("/health", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert await admin.json() == {"status": "ok", "mail": {"status": "ok"}}
