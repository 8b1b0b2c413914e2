"""The license email: both parts, escaping, and per-product template sets."""

from datetime import UTC, datetime

import pytest

from adapters.mail.rendering import JinjaEmailRenderer, TemplateError
from core.domain.catalog import Product, Tier
from core.domain.model import License, LicenseStatus
from tests.unit.world import ROOT

T0 = datetime(2026, 3, 14, tzinfo=UTC)
TIER = Tier(key="pro", name="Pro")
PRODUCT = Product(key="app", name="App & Co", tiers={"pro": TIER}, support_email="help@app.example",
                  activation="Paste it in Settings.")


def lic(**kw) -> License:
    fields = dict(id="lic_1", source="gumroad", order_id="o", product="app", tier="pro", seats=3,
                  email="b@example.com", licensee="Ann <b>", test=False, status=LicenseStatus.ACTIVE,
                  key="LIC1.k.p.s", kid="k", issued_at=T0, created_at=T0, updated_at=T0,
                  expires_at=datetime(2027, 3, 14, tzinfo=UTC))
    fields.update(kw)
    return License(**fields)


def test_the_default_email_carries_every_fact_in_both_parts():
    email = JinjaEmailRenderer(ROOT / "config/templates").license_email(
        license=lic(), product=PRODUCT, tier=TIER, delivery_id="dlv_1")
    for part in (email.text, email.html):
        assert "LIC1.k.p.s" in part and "3 seats" in part and "Pro" in part
        assert "help@app.example" in part and "Paste it in Settings." in part and "2027-03-14" in part
    assert "Ann <b>" in email.text and "Ann &lt;b&gt;" in email.html and "App &amp; Co" in email.html
    assert email.subject == "Your App & Co license key" and email.to == "b@example.com"


def test_a_product_template_set_overrides_only_the_files_it_has(tmp_path):
    templates = tmp_path / "templates"
    (templates / "license").mkdir(parents=True)
    for name in ("subject.txt", "body.txt", "body.html"):
        (templates / "license" / name).write_text((ROOT / "config/templates/license" / name).read_text())
    (templates / "fancy").mkdir()
    (templates / "fancy" / "subject.txt").write_text("Welcome to {{ product }}, {{ licensee }}!")
    renderer = JinjaEmailRenderer(templates)
    renderer.check(["fancy"])
    email = renderer.license_email(license=lic(), product=Product(**dict(
        key="app", name="App", tiers={"pro": TIER}, template="fancy")), tier=TIER, delivery_id="d")
    assert email.subject == "Welcome to App, Ann <b>!"
    assert "LIC1.k.p.s" in email.text  # body from the default set


def test_a_broken_template_stops_the_start_naming_the_file(tmp_path):
    templates = tmp_path / "templates"
    (templates / "license").mkdir(parents=True)
    for name in ("subject.txt", "body.txt", "body.html"):
        (templates / "license" / name).write_text("ok")
    (templates / "license" / "body.html").write_text("{% if %}")
    with pytest.raises(TemplateError, match="body.html"):
        JinjaEmailRenderer(templates).check([])


def test_a_missing_default_template_is_named(tmp_path):
    with pytest.raises(TemplateError, match="subject.txt"):
        JinjaEmailRenderer(tmp_path)


def test_the_key_is_attached_as_a_lic_file_holding_exactly_the_key():
    email = JinjaEmailRenderer(ROOT / "config/templates").license_email(
        license=lic(), product=PRODUCT, tier=TIER, delivery_id="dlv_1")
    [attachment] = email.attachments
    assert (attachment.filename, attachment.content_type) == ("app.lic", "application/octet-stream")
    assert attachment.content == b"LIC1.k.p.s"
    assert ".lic" in email.text and ".lic" in email.html


def test_a_catalog_deep_link_carries_the_key_in_both_parts_and_is_absent_otherwise():
    key = "LIC1.a-b_c.d.e"
    linked = Product(key="app", name="App", tiers={"pro": TIER}, activation_link="myapp://activate?key={key}&src=mail")
    email = JinjaEmailRenderer(ROOT / "config/templates").license_email(
        license=lic(key=key), product=linked, tier=TIER, delivery_id="d")
    assert f"myapp://activate?key={key}&src=mail" in email.text
    assert f'href="myapp://activate?key={key}&amp;src=mail"' in email.html
    plain = JinjaEmailRenderer(ROOT / "config/templates").license_email(
        license=lic(key=key), product=PRODUCT, tier=TIER, delivery_id="d")
    assert "myapp://" not in plain.text + plain.html and "one click" not in plain.text


def test_every_license_email_carries_the_buyers_signed_portal_link_in_both_parts():
    from adapters.signing.portal_links import PortalLinks

    links = PortalLinks("s" * 40, days=5, public_url="https://licenses.example.com", now=lambda: 1_000_000.0)
    email = JinjaEmailRenderer(ROOT / "config/templates", portal_links=links).license_email(
        license=lic(email="B@example.com"), product=PRODUCT, tier=TIER, delivery_id="dlv_1")
    url = links.url("B@example.com")
    assert url in email.text and url in email.html and "5 days" in email.text
    assert links.email_for(url.split("?t=", 1)[1]) == "b@example.com"
    plain = JinjaEmailRenderer(ROOT / "config/templates").license_email(
        license=lic(), product=PRODUCT, tier=TIER, delivery_id="dlv_1")
    assert "/portal/" not in plain.text + plain.html
