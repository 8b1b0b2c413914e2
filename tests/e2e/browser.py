"""Driving Debian's Chromium with Playwright against a real `licensemint serve` process.

Playwright's own browser download is never used: the browser is /usr/bin/chromium (the
Debian package listed in scripts/packages/browser.txt). A missing browser fails the test.
Each test saves screenshots under test-artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ADMIN_TOKEN, ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
ADMIN = f"alice:{ADMIN_TOKEN}"
LINK = re.compile(r"https?://[^\s\"<>]+/portal/licenses\?t=[A-Za-z0-9_.%-]+")


@contextmanager
def chromium(*, width: int = 1200, height: int = 900, javascript: bool = True):
    """A fresh browser page (its own cookies); closed afterwards."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed (scripts/packages/browser.txt)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(viewport={"width": width, "height": height},
                                          java_script_enabled=javascript, accept_downloads=True)
            context.set_default_timeout(10_000)
            page = context.new_page()
            errors: list[str] = []
            # CSP violations and script errors (a 4xx answer's "failed to load" is not one).
            page.on("console", lambda m: errors.append(m.text)
                    if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
            page.errors = errors
            yield page
        finally:
            browser.close()


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, base: str, token: str = ADMIN_TOKEN) -> None:
    page.goto(base + "/console/")
    page.get_by_label("Admin token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/console/")


def find(page, base: str, query: str) -> None:
    page.goto(base + "/console/find")
    page.get_by_label("Buyer's email, order id, license id, or a pasted key").fill(query)
    page.get_by_role("button", name="Find").click()


def post_json(base: str, path: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def portal_link(eml: Path, base: str) -> str:
    """The personal link from an .eml, pointed at the test server (PUBLIC_URL is not its port)."""
    [link] = set(LINK.findall(eml.read_text()))
    return base + link[link.index("/portal/"):]
