"""ValidateLicense, the online rules that come after the signature."""

from dataclasses import replace
from datetime import timedelta

import pytest

from core.domain.keys import KeyCheck
from core.usecases.validate_license import ValidateLicense, ValidateLicenseCommand
from tests.bodies import sale_body
from tests.unit.world import World


class SignatureHolds:
    """A verifier whose signature check passes for any key it is given: isolates the
    online rules from the key's own expiry claim."""

    def __init__(self, lid: str) -> None:
        self.lid = lid

    def check(self, key: str, *, now: float) -> KeyCheck:
        return KeyCheck(code="VALID", reason="ok", claims={"lid": self.lid})


@pytest.fixture
async def world_and_license():
    world = World()
    await world.receive(sale_body())
    [lic] = world.licenses()
    return world, lic


async def expiring(world, lic, at):
    world.store.licenses[lic.id] = replace(lic, expires_at=at)
    validate = ValidateLicense(uow=world.uow, verifier=SignatureHolds(lic.id), clock=world.clock)
    return await validate(ValidateLicenseCommand(key=lic.key))


async def test_a_license_expires_at_the_instant_of_expires_at(world_and_license):
    world, lic = world_and_license
    assert (await expiring(world, lic, world.clock.now())).code == "EXPIRED"


async def test_a_license_is_valid_until_just_before_expires_at(world_and_license):
    world, lic = world_and_license
    assert (await expiring(world, lic, world.clock.now() + timedelta(microseconds=1))).code == "VALID"
    assert (await expiring(world, lic, world.clock.now() - timedelta(microseconds=1))).code == "EXPIRED"
