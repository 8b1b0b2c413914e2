"""The console's session cookie: signed with the operator's token, idle and absolute expiry."""

from aiohttp.test_utils import make_mocked_request

from entrypoints.http.admin import admin_names
from entrypoints.http.web.session import ABSOLUTE, IDLE, SESSION_COOKIE, Session, Sessions

TOKEN = "admin-token-0123456789abcdef"


def sessions(tokens=(f"alice:{TOKEN}",)) -> Sessions:
    return Sessions(admin_names(tokens))


def request_with(value: str, **headers):
    return make_mocked_request("GET", "/console/", headers={"Cookie": f"{SESSION_COOKIE}={value}", **headers})


def test_the_token_signs_in_and_names_the_operator():
    assert sessions().sign_in(TOKEN) == "alice"
    assert sessions().sign_in(TOKEN + "x") is None and sessions().sign_in("") is None


def test_a_session_is_over_after_its_idle_time_or_its_absolute_time():
    s = sessions()
    value = s.cookie_value(Session(name="alice", issued=1000, seen=1000))
    assert s.read(request_with(value), now=1000 + IDLE) == Session(name="alice", issued=1000, seen=1000)
    assert s.read(request_with(value), now=1000 + IDLE + 1) is None
    kept = s.cookie_value(Session(name="alice", issued=1000, seen=1000 + ABSOLUTE - 10))
    assert s.read(request_with(kept), now=1000 + ABSOLUTE) is not None
    assert s.read(request_with(kept), now=1000 + ABSOLUTE + 1) is None


def test_a_session_dies_with_its_token_and_cannot_be_edited():
    value = sessions().cookie_value(Session(name="alice", issued=1000, seen=1000))
    assert sessions((f"alice:{TOKEN}-rotated",)).read(request_with(value), now=1000) is None
    name, issued, seen, mac = value.split(".")
    assert sessions().read(request_with(f"{name}.{issued}.{int(seen) + 60}.{mac}"), now=1060) is None
    assert sessions().read(request_with("garbage"), now=1000) is None


def test_secure_only_over_https_or_from_a_trusted_proxy_saying_so():
    plain = make_mocked_request("GET", "/console/", headers={"X-Forwarded-Proto": "https"})
    assert not sessions().https(plain)  # no trusted proxies: the header is anyone's
    trusting = Sessions(admin_names((f"alice:{TOKEN}",)), trusted_proxies=("127.0.0.1/32",))
    proxied = make_mocked_request("GET", "/console/", headers={"X-Forwarded-Proto": "https"})
    assert trusting.https(proxied) is (proxied.remote == "127.0.0.1")
