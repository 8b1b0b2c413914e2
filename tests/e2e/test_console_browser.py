"""The operator's console in a real browser (Debian's Chromium) against `licensemint serve`."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import ROOT, WEBHOOK_SECRET, gumroad_body
from tests.e2e.browser import ADMIN, chromium, find, shot, sign_in
from tests.e2e.test_server_process import Server, wait_for_files

pytestmark = pytest.mark.browser
HOOK = f"/webhooks/gumroad?secret={WEBHOOK_SECRET}"


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path, ADMIN_TOKENS=ADMIN)
    yield s
    s.stop()


def test_an_operator_signs_in_finds_a_buyer_by_email_and_revokes_with_confirmation(server, tmp_path):
    assert server.post(HOOK, gumroad_body("01_sale_licensed_basic")) == 200
    wait_for_files(tmp_path / "var" / "mail", 1)
    with chromium() as page:
        page.goto(server.base + "/console/licenses/whatever")
        assert page.url == server.base + "/console/sign-in"  # every page asks for a session first
        page.get_by_label("Admin token").fill("not-the-token")
        page.get_by_role("button", name="Sign in").click()
        assert "That admin token is not valid." in page.inner_text("main")
        sign_in(page, server.base)
        cookies = {c["name"]: c for c in page.context.cookies()}
        session = cookies["lm_console"]
        assert session["httpOnly"] and session["sameSite"] == "Strict" and not session["secure"]
        assert session["path"] == "/console/" and cookies["lm_csrf"]["httpOnly"]
        assert "Signed in as alice" in page.inner_text("header")
        shot(page, "console-overview")

        find(page, server.base, "JANE.DOE@example.com")
        assert "1 found" in page.inner_text("main")
        assert "jane.doe@example.com" not in page.url
        page.get_by_role("link", name=re.compile("^lic_")).click()
        main = page.inner_text("main")
        assert "Jane Doe" in main and "AcmeSoft Pro" in main and "29.00 usd" in main and "active" in main

        page.get_by_role("button", name="Revoke…").click()
        assert page.get_by_role("heading", name="Revoke the license?").is_visible()
        assert "active" in page.inner_text("main")  # nothing happened yet
        page.get_by_label("Reason (goes into the history)").fill("chargeback by phone")
        shot(page, "console-confirm-revoke")
        page.get_by_role("button", name="Yes, revoke the license").click()
        assert "The license is revoked." in page.inner_text("main")
        history = page.inner_text("#history")
        assert re.search(r"active → revoked\s+chargeback by phone\s+admin: alice", history), history
        shot(page, "console-license-revoked")

        page.get_by_role("button", name="Sign out").click()
        assert page.url == server.base + "/console/sign-in"
        page.goto(server.base + "/console/")
        assert page.url == server.base + "/console/sign-in"
        assert page.errors == []
    assert ADMIN.split(":")[1] not in server.log and "jane.doe@example.com" not in server.log


def test_a_form_without_its_csrf_value_is_refused(server):
    request = urllib.request.Request(server.base + "/console/sign-in", method="POST",
                                     data=f"token={ADMIN.split(':')[1]}".encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    refused.value.close()
    assert refused.value.code == 403 and "Set-Cookie" in refused.value.headers
    assert "lm_console" not in refused.value.headers.get("Set-Cookie", "")


def test_a_failed_event_is_replayed_from_the_console_after_the_catalog_is_fixed(tmp_path):
    products = tmp_path / "products.yaml"
    good = (ROOT / "config/products.yaml").read_text()
    products.write_text(good.replace('"32-nPAicqbLj8B_WswVlMw=="', '"not-this-product"'))
    first = Server(tmp_path, ADMIN_TOKENS=ADMIN, PRODUCTS_FILE=str(products))
    try:
        assert first.post(HOOK, gumroad_body("01_sale_licensed_basic")) == 200
    finally:
        first.stop()
    products.write_text(good)  # the seller fixes the catalog and restarts
    server = Server(tmp_path, ADMIN_TOKENS=ADMIN, PRODUCTS_FILE=str(products))
    try:
        with chromium() as page:
            sign_in(page, server.base)
            assert "Failed events" in page.inner_text("main")
            page.get_by_role("link", name="See failed events").click()
            shot(page, "console-failed-events")
            page.get_by_role("link", name=re.compile("^evt_")).click()
            main = page.inner_text("main")
            assert "failed" in main and "jane.doe%40example.com" in main  # the raw body, as text
            page.get_by_role("button", name="Replay this event").click()
            assert "Replayed: the event is now processed." in page.inner_text("main")
            shot(page, "console-event-replayed")
            find(page, server.base, "jane.doe@example.com")
            assert "1 found" in page.inner_text("main")
        wait_for_files(tmp_path / "var" / "mail", 1)
    finally:
        server.stop()


def test_replay_all_failed_asks_first_and_reports_what_happened(tmp_path):
    products = tmp_path / "products.yaml"
    products.write_text((ROOT / "config/products.yaml").read_text().replace('"32-nPAicqbLj8B_WswVlMw=="', '"x"'))
    server = Server(tmp_path, ADMIN_TOKENS=ADMIN, PRODUCTS_FILE=str(products))
    try:
        assert server.post(HOOK, gumroad_body("01_sale_licensed_basic")) == 200
        with chromium() as page:
            sign_in(page, server.base)
            page.goto(server.base + "/console/events?status=failed")
            page.get_by_role("button", name="Replay all failed…").click()
            page.get_by_role("button", name="Yes, replay them").click()
            main = page.inner_text("main")
            assert "Replayed 1 failed event(s): 0 processed, 1 still failed." in main
            assert re.search(r"1 of 1: evt_\S+ — failed .*not in the catalog", main), main
            shot(page, "console-replay-all")
            assert page.errors == []
    finally:
        server.stop()


def test_a_dead_delivery_is_retried_from_the_console(tmp_path):
    blocked = tmp_path / "outbox"
    blocked.write_text("a file where the mail folder should be")
    server = Server(tmp_path, ADMIN_TOKENS=ADMIN, MAIL_DIR=str(blocked), DELIVERY_MAX_ATTEMPTS="1")
    try:
        assert server.post(HOOK, gumroad_body("01_sale_licensed_basic")) == 200
        with chromium() as page:
            sign_in(page, server.base)
            for _ in range(100):
                page.goto(server.base + "/console/deliveries?status=dead")
                if "cannot write in" in page.inner_text("main"):
                    break
                time.sleep(0.1)
            assert "cannot write in" in page.inner_text("main")  # the last error is shown
            shot(page, "console-dead-delivery")
            blocked.unlink()  # the seller fixes the mail folder
            page.get_by_role("button", name=re.compile("^Retry delivery")).click()
            assert "The delivery is queued again." in page.inner_text("main")
        assert len(wait_for_files(blocked, 1)) == 1
    finally:
        server.stop()


def test_an_operator_mints_by_hand_changes_seats_and_deactivates_a_machine(server, tmp_path):
    from tests.e2e.browser import post_json
    from tests.e2e.test_server_process import KEY

    with chromium() as page:
        sign_in(page, server.base)
        page.get_by_role("link", name="Mint", exact=True).click()
        page.get_by_label("Product").select_option("acmesoft-pro")
        page.get_by_label("Buyer's email").fill("sam@example.com")
        page.get_by_label("Licensee name").fill("Sam Seller")
        page.get_by_label("Seats", exact=True).fill("2")
        page.get_by_role("button", name="Review…").click()
        assert "Mint this license?" in page.inner_text("h1")
        assert not list((tmp_path / "var" / "mail").glob("*.eml"))  # nothing yet
        page.get_by_role("button", name="Yes, mint and email it").click()
        assert "The license is minted and its email queued." in page.inner_text("main")
        [eml] = wait_for_files(tmp_path / "var" / "mail", 1)
        [key] = set(KEY.findall(eml.read_text()))
        status, _ = post_json(server.base, "/v1/licenses/activate",
                              {"key": key, "fingerprint": "sams-desktop-0001", "label": "Sam's desktop"})
        assert status == 201

        page.reload()
        assert "1 of 2 in use" in page.inner_text("main")
        page.get_by_label("Seats", exact=True).fill("3")
        page.get_by_role("button", name="Change seats…").click()
        assert "Seats go from 2 to 3" in page.inner_text("main")
        page.get_by_role("button", name="Yes, change the number of seats").click()
        assert "1 of 3 in use" in page.inner_text("main")

        page.get_by_role("button", name="Deactivate Sam's desktop").click()
        assert "Sam's desktop" in page.inner_text("main") and "loses its seat" in page.inner_text("main")
        page.get_by_role("button", name="Yes, deactivate a machine").click()
        main = page.inner_text("main")
        assert "its seat is free" in main and "0 of 3 in use" in main
        history = page.inner_text("#history")
        assert re.search(r"machine seats_changed\s+seats 2 → 3\s+operator: alice", history), history
        assert re.search(r"machine deactivated\s+operator: alice", history), history
        shot(page, "console-mint-seats-deactivate")
