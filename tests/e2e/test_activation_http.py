"""Machine activation over HTTP on SQLite and PostgreSQL, every answer checked against the
OpenAPI document; the operator's side through the admin API."""

import pytest

from adapters.signing.verifier import VALID, verify_lease
from core.domain.activation import machine_hash
from tests.bodies import refund_body, sale_body

FP = [f"e2e-machine-{i:03d}" for i in range(60)]


async def three_seat_license(service):
    assert (await service.post_sale(sale_body(quantity="3"))).status == 200
    [lic] = await service.licenses()
    assert lic.seats == 3
    return lic


def activate(service, key, fingerprint, **extra):
    return service.call("POST", "/v1/licenses/activate", token=None,
                        json={"key": key, "fingerprint": fingerprint, **extra})


def deactivate(service, key, fingerprint):
    return service.call("POST", "/v1/licenses/deactivate", token=None, json={"key": key, "fingerprint": fingerprint})


async def test_three_machines_activate_a_fourth_is_refused_until_one_is_deactivated(service):
    lic = await three_seat_license(service)
    for fp in FP[:3]:
        status, body = await activate(service, lic.key, fp, label="Jane's MacBook", platform="macos")
        assert (status, body["code"]) == (201, "ACTIVATED")
        assert body["activation"]["label"] == "Jane's MacBook"
    lease = verify_lease(body["lease"], [k.public_key for k in service.container.signer().published])
    assert (lease.code, lease.claims["machine"]) == (VALID, machine_hash(FP[2]))

    status, body = await activate(service, lic.key, FP[3])
    assert (status, body) == (409, {"code": "TOO_MANY_MACHINES", "reason": body["reason"], "seats": 3, "active": 3})

    status, body = await activate(service, lic.key, FP[0])
    assert (status, body["code"]) == (200, "ACTIVATED")

    assert await deactivate(service, lic.key, FP[1]) == (200, {"code": "DEACTIVATED", "reason": "the seat is free"})
    assert (await deactivate(service, lic.key, FP[1]))[0] == 404
    assert (await activate(service, lic.key, FP[3]))[0] == 201


async def test_bad_fingerprints_keys_and_bodies_get_their_own_answers(service):
    lic = await three_seat_license(service)
    status, body = await activate(service, lic.key, "short")
    assert (status, body["code"]) == (422, "INVALID_FINGERPRINT")
    status, body = await service.call("POST", "/v1/licenses/activate", token=None, json={"key": lic.key})
    assert (status, body["code"]) == (422, "INVALID_FINGERPRINT")
    status, body = await activate(service, "LIC1.a.b", FP[0])
    assert (status, body["code"]) == (422, "MALFORMED")
    status, body = await service.call("POST", "/v1/licenses/activate", token=None, data=b"not json")
    assert status == 400
    status, body = await activate(service, lic.key, FP[0], label=5)
    assert status == 400 and "label" in body["message"]
    status, body = await activate(service, lic.key, FP[0], label="x" * 201)
    assert status == 422 and "label" in body["message"]
    await service.post_sale(refund_body())
    status, body = await activate(service, lic.key, FP[0])
    assert (status, body["code"]) == (422, "REVOKED")


@pytest.mark.parametrize("path", ["/v1/licenses/activate", "/v1/licenses/deactivate"])
async def test_an_empty_or_blank_key_is_a_422_malformed_like_any_invalid_key_and_a_missing_one_a_400(service, path):
    for key in ["", " ", " \t\r\n"]:
        status, body = await service.call("POST", path, token=None, json={"key": key, "fingerprint": FP[0]})
        assert (status, body["code"]) == (422, "MALFORMED"), (key, body)
    for fields in [{}, {"key": None}, {"key": 5}]:
        status, body = await service.call("POST", path, token=None, json={**fields, "fingerprint": FP[0]})
        assert status == 400 and "key" in body["message"], (fields, body)


async def test_validate_with_a_fingerprint_answers_activated(service):
    lic = await three_seat_license(service)
    await activate(service, lic.key, FP[0])
    for fp, expected in ((FP[0], True), (FP[1], False)):
        status, body = await service.call("POST", "/v1/licenses/validate", token=None,
                                          json={"key": lic.key, "fingerprint": fp})
        assert (status, body["code"], body["activated"]) == (200, "VALID", expected)
    status, body = await service.call("POST", "/v1/licenses/validate", token=None, json={"key": lic.key})
    assert "activated" not in body
    status, body = await service.call("POST", "/v1/licenses/validate", token=None,
                                      json={"key": lic.key, "fingerprint": "bad"})
    assert (status, body["error"]) == (422, "INVALID_FINGERPRINT")


async def test_the_operator_lists_deactivates_resets_and_changes_seats_and_is_named(service):
    lic = await three_seat_license(service)
    for fp in FP[:3]:
        await activate(service, lic.key, fp)
    status, listed = await service.call("GET", f"/admin/licenses/{lic.id}/activations")
    assert (status, listed["seats"], listed["active"]) == (200, 3, 3)
    first = listed["items"][0]["id"]
    assert await service.call("POST", f"/admin/licenses/{lic.id}/activations/{first}/deactivate") == (
        200, {"released": 1})
    assert (await service.call("POST", f"/admin/licenses/{lic.id}/activations/{first}/deactivate"))[0] == 404
    status, changed = await service.call("POST", f"/admin/licenses/{lic.id}/seats", json={"seats": 1})
    assert (status, changed["seats"]) == (200, 1)
    assert (await activate(service, lic.key, FP[5]))[1]["code"] == "TOO_MANY_MACHINES"
    assert (await service.call("POST", f"/admin/licenses/{lic.id}/seats", json={"seats": 0}))[0] == 422
    assert await service.call("POST", f"/admin/licenses/{lic.id}/activations/reset") == (200, {"released": 2})
    assert (await activate(service, lic.key, FP[5]))[0] == 201
    status, listed = await service.call("GET", f"/admin/licenses/{lic.id}/activations")
    operator = [(h["action"], h["actor_id"]) for h in listed["history"] if h["actor_type"] == "operator"]
    assert operator == [("deactivated", "alice"), ("seats_changed", "alice"), ("deactivated", "alice"),
                        ("deactivated", "alice")]
    assert (await service.call("GET", "/admin/licenses/lic_nope/activations"))[0] == 404
    assert (await service.call("GET", f"/admin/licenses/{lic.id}/activations", token=None))[0] == 401


async def test_activation_and_deactivation_are_rate_limited_per_client(start_service, sqlite_url):
    service = await start_service(sqlite_url, worker=False, ACTIVATION_RATE_LIMIT="3")
    answers = [await service.client.post("/v1/licenses/activate", json={"key": f"k{i}", "fingerprint": FP[0]})
               for i in range(3)]
    answers.append(await service.client.post("/v1/licenses/deactivate", json={"key": "k9", "fingerprint": FP[0]}))
    assert [a.status for a in answers] == [422, 422, 422, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1


async def test_activations_are_rate_limited_per_license_key_whatever_the_address(start_service, sqlite_url):
    service = await start_service(sqlite_url, worker=False, ACTIVATION_RATE_LIMIT="2")
    from entrypoints.http.activation import PER_CLIENT

    service.client.server.app[PER_CLIENT].limit = 0  # as if every attempt came from a new address
    answers = [await service.client.post("/v1/licenses/activate", json={"key": "same", "fingerprint": FP[i]})
               for i in range(3)]
    assert [a.status for a in answers] == [422, 422, 429]


async def test_activation_forgives_the_same_four_characters_around_a_key_as_every_verifier(service):
    lic = await three_seat_license(service)
    for around in ["\u00a0", "\ufeff", "\u0085", "\u200b", "\u000b"]:
        status, body = await activate(service, lic.key + around, FP[0])
        assert (status, body["code"]) == (422, "MALFORMED"), around
        status, body = await deactivate(service, around + lic.key, FP[0])
        assert body["code"] == "MALFORMED", around
    status, body = await activate(service, f" \t{lic.key}\r\n", FP[0])
    assert (status, body["code"]) == (201, "ACTIVATED")
    status, body = await deactivate(service, f"\n{lic.key} ", FP[0])
    assert (status, body["code"]) == (200, "DEACTIVATED")
