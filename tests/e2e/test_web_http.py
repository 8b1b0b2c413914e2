"""The console and portal over HTTP (aiohttp's test client, both engines): headers, CSRF,
rate limits shared with the JSON API, keys and addresses kept out of URLs."""

from __future__ import annotations

import re

from tests.conftest import ADMIN_TOKEN, gumroad_body

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def signed_in(service) -> str:
    client = service.client
    page = await client.get("/console/sign-in")
    csrf = CSRF.search(await page.text()).group(1)
    answer = await client.post("/console/sign-in", data={"csrf": csrf, "token": ADMIN_TOKEN},
                               allow_redirects=False)
    assert answer.status == 303 and answer.headers["Location"] == "/console/"
    return csrf


async def test_every_page_carries_a_csp_without_inline_script_and_refuses_framing(service):
    for path in ("/console/sign-in", "/portal/", "/portal/licenses?t=nope"):
        answer = await service.client.get(path)
        csp = answer.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert answer.headers["Cache-Control"] == "no-store" and answer.headers["Referrer-Policy"] == "no-referrer"
        assert "<script>" not in await answer.text()


async def test_a_console_form_needs_its_csrf_value_and_a_same_site_origin(service):
    csrf = await signed_in(service)
    lic = (await service.licenses()) or None
    assert lic is None  # nothing minted: the form is refused before any use case would run
    missing = await service.client.post("/console/mint", data={"product": "acmesoft-pro"})
    assert missing.status == 403 and "out of date" in await missing.text()
    foreign = await service.client.post("/console/find", data={"csrf": csrf, "q": "x"},
                                        headers={"Origin": "https://evil.example"})
    assert foreign.status == 403
    ok = await service.client.post("/console/find", data={"csrf": csrf, "q": "nobody@example.com"})
    assert ok.status == 200 and "0 found" in await ok.text()


async def test_a_bad_seats_value_is_a_clear_page_and_changes_nothing(service):
    assert (await service.post_sale(gumroad_body("01_sale_licensed_basic"))).status == 200
    [lic] = await service.licenses()
    csrf = await signed_in(service)
    for seats in ("0", "abc", "99999"):
        answer = await service.client.post(f"/console/licenses/{lic.id}/act",
                                           data={"csrf": csrf, "action": "seats", "seats": seats, "confirm": "yes"})
        assert answer.status == 422, seats
    [after] = await service.licenses()
    assert after.seats == lic.seats


async def test_lost_key_requests_share_the_resend_apis_limit_per_address(service):
    for _ in range(3):
        assert (await service.client.post("/v1/licenses/resend", json={"email": "a@example.com"})).status == 202
    for _ in range(2):
        assert (await service.client.post("/portal/", data={"email": "A@example.com"})).status == 202
    limited = await service.client.post("/portal/", data={"email": "a@example.com"})
    assert limited.status == 429 and "Too many requests" in await limited.text()
    assert (await service.client.post("/v1/licenses/resend", json={"email": "a@example.com"})).status == 429
    bad = await service.client.post("/portal/", data={"email": "not an address"})
    assert bad.status == 400 and "Please enter an email address." in await bad.text()


async def test_sign_in_attempts_are_limited_per_client_right_or_wrong(service):
    page = await service.client.get("/console/sign-in")
    csrf = CSRF.search(await page.text()).group(1)
    for _ in range(10):
        wrong = await service.client.post("/console/sign-in", data={"csrf": csrf, "token": "guess"})
        assert wrong.status == 401
    limited = await service.client.post("/console/sign-in", data={"csrf": csrf, "token": ADMIN_TOKEN},
                                        allow_redirects=False)
    assert limited.status == 429 and "Too many sign-in attempts" in await limited.text()
    assert "lm_console" not in limited.headers.get("Set-Cookie", "")
