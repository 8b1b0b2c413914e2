"""The buyer's portal in a real browser (Debian's Chromium) against `licensemint serve`."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest

from tests.conftest import WEBHOOK_SECRET, gumroad_body
from tests.e2e.browser import ADMIN, chromium, find, portal_link, post_json, shot, sign_in
from tests.e2e.test_server_process import KEY, Server, wait_for_files

pytestmark = pytest.mark.browser
HOOK = f"/webhooks/gumroad?secret={WEBHOOK_SECRET}"
SAME_ANSWER = "If we have licenses for this address, an email with your keys and a personal link is on its way."


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path, ADMIN_TOKENS=ADMIN)
    yield s
    s.stop()


def _sale_and_machine(server, tmp_path) -> str:
    assert server.post(HOOK, gumroad_body("01_sale_licensed_basic")) == 200
    [eml] = wait_for_files(tmp_path / "var" / "mail", 1)
    [key] = set(KEY.findall(eml.read_text()))
    status, body = post_json(server.base, "/v1/licenses/activate",
                             {"key": key, "fingerprint": "machine-0001-abcdef", "label": "Jane's laptop",
                              "platform": "macos"})
    assert status == 201 and body["code"] == "ACTIVATED", body
    return key


def test_a_buyer_gets_a_link_opens_it_from_the_email_copies_the_key_and_frees_a_seat(server, tmp_path):
    key = _sale_and_machine(server, tmp_path)
    mail = tmp_path / "var" / "mail"
    with chromium(width=390, height=844) as page:  # a phone
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base)
        page.goto(server.base + "/portal/")
        page.get_by_label("The email address you bought with").fill("nobody@example.com")
        page.get_by_role("button", name="Email me my keys").click()
        assert SAME_ANSWER in page.inner_text("main")  # unknown: the same answer
        page.get_by_label("The email address you bought with").fill("Jane.Doe@example.com")
        page.get_by_role("button", name="Email me my keys").click()
        assert SAME_ANSWER in page.inner_text("main")
        assert "jane" not in page.url.lower()
        shot(page, "portal-lost-key")
        emls = wait_for_files(mail, 2)
        newest = max(emls, key=lambda p: p.stat().st_mtime_ns)
        link = portal_link(newest, server.base)

        page.goto(link)
        main = page.inner_text("main")
        assert "AcmeSoft Pro" in main and "Desktop License" in main and "active" in main
        assert "1 of 1 seat(s) in use" in main and "Jane's laptop (macos)" in main
        page.get_by_role("button", name="Copy key").click()
        page.get_by_text("Copied.").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == key
        with page.expect_download() as download:
            page.get_by_role("button", name="Download .lic file").click()
        assert download.value.suggested_filename == "acmesoft-pro.lic"
        assert Path(download.value.path()).read_bytes() == key.encode()
        shot(page, "portal-licenses")

        page.get_by_role("button", name="Deactivate Jane's laptop").click()
        main = page.inner_text("main")
        assert "its seat is free" in main and "0 of 1 seat(s) in use" in main and "Jane's laptop" not in main
        assert page.errors == []

        sign_in(page, server.base)
        find(page, server.base, "jane.doe@example.com")
        page.get_by_role("link", name=re.compile("^lic_")).click()
        assert "0 of 1 in use" in page.inner_text("main")
        assert re.search(r"machine deactivated\s+portal\s+buyer", page.inner_text("#history"))
        shot(page, "console-seat-freed")

        token = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["t"][0]
        page.goto(link.replace(token, token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")))
        assert "This link has expired or is not valid." in page.inner_text("main")
    log = server.log
    assert "GET /portal/licenses?[redacted] 200" in log
    assert token not in log and key not in log and "jane.doe@example.com" not in log.lower()


def test_the_portal_works_with_javascript_off(server, tmp_path):
    key = _sale_and_machine(server, tmp_path)
    link = portal_link(wait_for_files(tmp_path / "var" / "mail", 1)[0], server.base)
    with chromium(javascript=False) as page:
        page.goto(link)
        assert not page.get_by_role("button", name="Copy key").is_visible()  # nothing that cannot work
        assert page.get_by_label("License key").input_value() == key  # selectable instead
        page.get_by_role("button", name="Deactivate Jane's laptop").click()
        assert "0 of 1 seat(s) in use" in page.inner_text("main")


def test_a_link_for_another_secret_or_past_its_days_is_refused(tmp_path):
    first = Server(tmp_path, PORTAL_SECRET="s" * 40, PORTAL_LINK_DAYS="1")
    try:
        assert first.post(HOOK, gumroad_body("01_sale_licensed_basic")) == 200
        link = portal_link(wait_for_files(tmp_path / "var" / "mail", 1)[0], first.base)
        with chromium() as page:
            page.goto(link)
            assert "Your licenses" in page.inner_text("h1")
    finally:
        first.stop()
    rotated = Server(tmp_path, PORTAL_SECRET="r" * 40)
    try:
        with chromium() as page:
            page.goto(rotated.base + link[link.index("/portal/"):])
            assert "This link has expired or is not valid." in page.inner_text("main")
    finally:
        rotated.stop()


def test_html_and_script_from_a_sale_are_shown_as_text_on_every_page(server, tmp_path):
    name = '<script>alert("name")</script><b>Mallory</b>'
    variant = '<img src=x onerror=alert("variant")>'
    body = gumroad_body("01_sale_licensed_basic").replace(
        b"full_name=Jane%20Doe", b"full_name=" + urllib.parse.quote(name).encode()
        + b"&variants%5BEdition%5D=" + urllib.parse.quote(variant).encode())
    assert server.post(HOOK, body) == 200
    link = portal_link(wait_for_files(tmp_path / "var" / "mail", 1)[0], server.base)
    with chromium() as page:
        sign_in(page, server.base)
        find(page, server.base, "jane.doe@example.com")
        assert name in page.inner_text("main")
        page.get_by_role("link", name=re.compile("^lic_")).click()
        assert name in page.inner_text("main")
        assert page.locator("b", has_text="Mallory").count() == 0
        page.goto(server.base + "/console/events")
        page.get_by_role("link", name=re.compile("^evt_")).click()
        raw = page.inner_text("pre.raw")
        assert urllib.parse.quote(variant) in raw or variant in raw
        page.goto(link)
        assert name in page.inner_text("main")
        for where in (page,):
            assert where.locator("script:not([src])").count() == 0 and where.locator("img").count() == 0
        assert page.errors == []  # no alert ran, no CSP violation
