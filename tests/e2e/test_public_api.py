"""POST /v1/licenses/validate, GET /v1/keys, POST /v1/licenses/resend."""

import asyncio
import base64
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.signing.ed25519 import Ed25519Signer, load_private_key
from adapters.signing.verifier import b64url_decode, b64url_encode, load_public_key, verify
from core.domain.keys import LicenseClaims
from tests.bodies import dispute_body, refund_body, sale_body
from tests.conftest import ROOT

VECTORS = json.loads((ROOT / "clients/vectors/v1.json").read_text("utf-8"))
VECTOR_VALID = next(c["input"] for c in VECTORS["cases"] if c["code"] == "VALID" and c["kind"] == "key")


async def validate(service, key, expect_status=200):
    response = await service.client.post("/v1/licenses/validate", json={"key": key})
    assert response.status == expect_status
    return await response.json()


async def minted_key(service, body=None):
    assert (await service.post_sale(body or sale_body())).status == 200
    [lic] = await service.licenses()
    return lic


async def test_valid(service):
    lic = await minted_key(service)
    answer = await validate(service, lic.key)
    assert answer["code"] == "VALID" and answer["valid"] is True
    assert answer["license"] == {"id": lic.id, "product": "acmesoft-pro", "tier": "desktop", "seats": 1,
                                 "status": "active", "expires_at": None, "test": False}
    assert "jane" not in json.dumps(answer).lower()


async def test_revoked(service):
    lic = await minted_key(service)
    await service.post_sale(refund_body())
    answer = await validate(service, lic.key)
    assert (answer["code"], answer["reason"], answer["license"]["status"]) == ("REVOKED", "refund", "revoked")


async def test_suspended(service):
    lic = await minted_key(service)
    await service.post_sale(dispute_body())
    assert (await validate(service, lic.key))["code"] == "SUSPENDED"


async def test_expired(service):
    signer = service.container.signer()
    key = signer.sign(LicenseClaims(lid="lic_old", product="acmesoft-pro", tier="desktop", seats=1,
                                    name="x", iat=1_600_000_000, exp=1_600_000_100, test=False)).key
    answer = await validate(service, key)
    assert answer["code"] == "EXPIRED" and verify(key, [k.public_key for k in signer.published]).code == "EXPIRED"


async def test_unknown(service):
    key = service.container.signer().sign(LicenseClaims(
        lid="lic_elsewhere", product="acmesoft-pro", tier="desktop", seats=1, name="x",
        iat=1_700_000_000, exp=None, test=False)).key
    assert (await validate(service, key))["code"] == "UNKNOWN"


async def test_bad_signature(service):
    lic = await minted_key(service)
    prefix, kid, payload, sig = lic.key.split(".")
    forged = json.loads(b64url_decode(payload))
    forged["seats"] = 1000
    tampered = ".".join([prefix, kid, b64url_encode(json.dumps(forged).encode()), sig])
    assert (await validate(service, tampered))["code"] == "BAD_SIGNATURE"
    assert (await validate(service, VECTOR_VALID))["code"] == "BAD_SIGNATURE"  # a key id we do not publish


async def test_malformed(service):
    for junk in ["hello", "LIC1.a.b", "LIC2.x.y.z", "LIC1." + "A" * 5000]:
        assert (await validate(service, junk))["code"] == "MALFORMED"


@pytest.mark.parametrize("key", ["", " ", " \t\r\n", "\u00a0", "A" * 4097, "A" * 60000],
                         ids=["empty", "space", "blank", "nbsp", "4097", "60000"])
async def test_an_empty_blank_or_over_long_key_is_answered_malformed_not_refused(service, key):
    answer = await validate(service, key)
    assert (answer["code"], answer["valid"], answer["license"]) == ("MALFORMED", False, None)


async def test_only_ascii_space_tab_cr_lf_around_a_key_are_forgiven_online(service):
    lic = await minted_key(service)
    assert (await validate(service, f" \t{lic.key}\r\n"))["code"] == "VALID"
    for around in ["\u0085", "\u00a0", "\ufeff", "\u200b", "\u001f", "\u000b"]:
        assert (await validate(service, lic.key + around))["code"] == "MALFORMED"


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"key": 5}', b'["key"]'])
async def test_a_request_without_a_key_is_400_naming_the_field(service, body):
    response = await service.client.post("/v1/licenses/validate", data=body)
    assert response.status == 400
    answer = await response.json()
    assert answer["error"] == "bad_request"


async def test_an_old_key_after_a_tier_change_is_revoked_online(service):
    from tests.bodies import membership_sale_body, subscription_body

    await service.post_sale(membership_sale_body())
    [before] = await service.licenses()
    await service.post_sale(subscription_body("subscription_updated"))
    [after] = await service.licenses()
    assert (await validate(service, before.key))["code"] == "REVOKED"
    assert (await validate(service, after.key))["code"] == "VALID"


async def test_validation_is_rate_limited_per_client(start_service, sqlite_url):
    service = await start_service(sqlite_url, worker=False, VALIDATE_RATE_LIMIT="5")
    answers = [await service.client.post("/v1/licenses/validate", json={"key": "x"}) for _ in range(6)]
    assert [a.status for a in answers] == [200] * 5 + [429]
    assert int(answers[-1].headers["Retry-After"]) >= 1


async def test_keys_publishes_the_signing_key(service):
    answer = await (await service.client.get("/v1/keys")).json()
    [key] = answer["keys"]
    signer = service.container.signer()
    assert key == {"kid": signer.signing_kid, "algorithm": "Ed25519",
                   "public_key": signer.published[0].public_text, "status": "active"}
    assert len(key["public_key"]) == 43 and "=" not in key["public_key"]  # base64url, no padding
    assert len(base64.urlsafe_b64decode(key["public_key"] + "=")) == 32


async def test_after_a_rotation_keys_signed_by_the_old_key_keep_validating(start_service, sqlite_url, tmp_path):
    old = await start_service(sqlite_url, worker=False)
    lic = await minted_key(old)
    old_public = old.container.signer().published[0].public_text
    from adapters.signing.ed25519 import generate_keypair

    new_private, _, new_kid = generate_keypair(tmp_path / "new-keys")
    rotated = await start_service(sqlite_url, worker=False, LICENSE_SIGNING_KEY=str(new_private),
                                  LICENSE_VERIFY_KEYS=old_public)
    keys = (await (await rotated.client.get("/v1/keys")).json())["keys"]
    assert {(k["kid"], k["status"]) for k in keys} == {(new_kid, "active"), (lic.kid, "retired")}
    assert (await validate(rotated, lic.key))["code"] == "VALID"
    assert verify(lic.key, [load_public_key(k["public_key"]) for k in keys]).valid
    await rotated.post_sale(sale_body(sale_id="after-rotation=="))
    newest = next(x for x in await rotated.licenses() if x.order_id == "after-rotation==")
    assert newest.kid == new_kid and (await validate(rotated, newest.key))["code"] == "VALID"


async def test_resend_answers_the_same_202_for_known_and_unknown_addresses(service):
    await minted_key(service)
    await service.wait_for_emails(1)  # while the first email waits, a resend adds nothing
    for _ in range(100):  # the file is written a moment before the result is recorded
        if (await service.deliveries())[0].status == "sent":
            break
        await asyncio.sleep(0.05)
    known = await service.client.post("/v1/licenses/resend", json={"email": "JANE.DOE@example.com"})
    unknown = await service.client.post("/v1/licenses/resend", json={"email": "nobody@example.com"})
    assert known.status == unknown.status == 202
    assert await known.read() == await unknown.read()
    await service.wait_for_emails(2)
    assert len(await service.deliveries()) == 2


async def test_resend_skips_revoked_licenses(service):
    await minted_key(service)
    await service.post_sale(refund_body())
    await service.client.post("/v1/licenses/resend", json={"email": "jane.doe@example.com"})
    assert len(await service.deliveries()) == 1


async def test_resend_is_rate_limited_per_address(start_service, sqlite_url):
    service = await start_service(sqlite_url, worker=False)
    statuses = [(await service.client.post("/v1/licenses/resend", json={"email": "a@example.com"})).status
                for _ in range(6)]
    assert statuses == [202] * 5 + [429]
    other = await service.client.post("/v1/licenses/resend", json={"email": "b@example.com"})
    assert other.status == 202


async def test_resend_rejects_a_malformed_address(service):
    response = await service.client.post("/v1/licenses/resend", json={"email": "not an address"})
    assert response.status == 400 and "email" in (await response.json())["message"]


TAMPERINGS = st.one_of(
    st.tuples(st.just("flip"), st.integers(min_value=0), st.integers(min_value=0, max_value=7)),
    st.tuples(st.just("truncate"), st.integers(min_value=1), st.just(0)),
    st.tuples(st.just("prefix"), st.sampled_from(["LIC0", "LIC2", "lic1", "XXX1"]), st.just(0)),
    st.tuples(st.just("kid"), st.binary(min_size=8, max_size=8), st.just(0)),
    st.tuples(st.just("reencode"), st.sampled_from(["spaces", "reorder", "seats"]), st.just(0)),
)


def tamper(key: str, how) -> str | None:
    kind, a, b = how
    prefix, kid, payload, sig = key.split(".")
    if kind == "flip":
        raw = bytearray(key.encode())
        raw[a % len(raw)] ^= 1 << b
        try:
            return raw.decode("ascii")
        except UnicodeDecodeError:
            return None
    if kind == "truncate":  # never to nothing: an empty key is a 400, not a verdict on a key
        return key[: max(a % len(key), 1)]
    if kind == "prefix":
        return ".".join([a, kid, payload, sig])
    if kind == "kid":
        new_kid = b64url_encode(a)
        return None if new_kid == kid else ".".join([prefix, new_kid, payload, sig])
    claims = json.loads(b64url_decode(payload))
    if a == "spaces":
        text = json.dumps(claims)
    elif a == "reorder":
        text = json.dumps(dict(reversed(list(claims.items()))), separators=(",", ":"))
    else:
        text = json.dumps({**claims, "seats": claims["seats"] + 1}, separators=(",", ":"))
    return ".".join([prefix, kid, b64url_encode(text.encode()), sig])


async def test_any_change_to_a_valid_key_is_rejected_offline_and_online(start_service, sqlite_url):
    service = await start_service(sqlite_url, worker=False, VALIDATE_RATE_LIMIT="0")
    lic = await minted_key(service)
    published = [k.public_key for k in service.container.signer().published]
    loop = asyncio.get_running_loop()
    checked = []

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(how=TAMPERINGS)
    def property_(how):
        tampered = tamper(lic.key, how)
        if tampered is None or tampered.strip() == lic.key:
            return  # surrounding whitespace is forgiven (copy and paste): the same key
        offline = verify(tampered, published).code
        assert offline != "VALID"
        checked.append((tampered, offline))

    await loop.run_in_executor(None, property_)
    for tampered, offline in checked:
        online = (await validate(service, tampered))["code"]
        assert online != "VALID" and online == offline, (tampered, offline, online)
    assert len(checked) > 100
