"""The buyer's signed portal link: one address, an expiry, one secret."""

from adapters.signing.portal_links import PortalLinks

SECRET = "p" * 40


def links(now: float = 1_000_000.0, secret: str = SECRET, days: int = 7) -> PortalLinks:
    return PortalLinks(secret, days=days, public_url="https://licenses.example.com/", now=lambda: now)


def test_a_fresh_link_names_its_address_lower_cased():
    url = links().url("Jane.Doe@Example.com")
    assert url.startswith("https://licenses.example.com/portal/licenses?t=")
    token = url.split("?t=", 1)[1]
    assert links().email_for(token) == "jane.doe@example.com"


def test_a_link_lasts_its_days_and_not_a_second_more():
    token = links(now=1_000_000.0, days=7).token("a@example.com")
    assert links(now=1_000_000.0 + 7 * 86400 - 1).email_for(token) == "a@example.com"
    assert links(now=1_000_000.0 + 7 * 86400).email_for(token) is None


def test_a_rotated_secret_voids_every_link():
    token = links().token("a@example.com")
    assert links(secret="q" * 40).email_for(token) is None


def test_a_token_edited_to_another_address_or_a_later_expiry_is_refused():
    import base64

    token = links().token("a@example.com")
    _, expires, mac = token.split(".")
    other = base64.urlsafe_b64encode(b"b@example.com").decode().rstrip("=")
    assert links().email_for(f"{other}.{expires}.{mac}") is None
    assert links().email_for(f"{token.split('.')[0]}.{int(expires) + 86400}.{mac}") is None


def test_garbage_is_refused_without_an_error():
    for junk in ("", "a.b.c", "...", "x" * 5000, "!!!.1.x", "YQ.notanumber.x", "\udcff.1.x"):
        assert links().email_for(junk) is None
