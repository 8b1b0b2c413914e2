"""POST /v1/licenses/validate against every key case of clients/vectors/v1.json: the server,
given the file's public keys as LICENSE_VERIFY_KEYS and the file's `now` as its clock, gives
the offline code for every case that is not VALID offline, and UNKNOWN for the VALID ones
(well signed, but no such license here). Leases are not keys: only kind=key cases."""

import json
from datetime import UTC, datetime

from dependency_injector import providers

from tests.conftest import ROOT
from tests.fakes import FixedClock

VECTORS = json.loads((ROOT / "clients/vectors/v1.json").read_text("utf-8"))


async def test_the_validate_endpoint_agrees_with_every_key_vector(start_service, sqlite_url):
    clock = FixedClock(datetime.fromtimestamp(VECTORS["now"], UTC))
    service = await start_service(
        sqlite_url, worker=False, overrides={"clock": providers.Object(clock)},
        LICENSE_VERIFY_KEYS=",".join(k["public_key"] for k in VECTORS["public_keys"]),
        VALIDATE_RATE_LIMIT="100000",
    )
    cases = [c for c in VECTORS["cases"] if c["kind"] == "key"]
    disagreements = []
    for case in cases:
        response = await service.client.post("/v1/licenses/validate", json={"key": case["input"]})
        answer = await response.json()
        expected = "UNKNOWN" if case["code"] == "VALID" else case["code"]
        if response.status != 200 or answer.get("code") != expected:
            disagreements.append((case["name"], expected, response.status, answer))
    assert not disagreements, disagreements
    assert len(cases) > 250
