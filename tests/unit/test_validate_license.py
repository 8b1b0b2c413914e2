"""ValidateLicense, the online rules that come after the signature."""

from dataclasses import replace
from datetime import timedelta

import pytest

from core.domain.keys import KeyCheck, ValidationCode
from core.usecases.validate_license import ValidateLicense, ValidateLicenseCommand
from tests.bodies import sale_body
from tests.unit.world import World


class SignatureHolds:
    """A verifier whose signature check passes for any key it is given: isolates the
    online rules from the key's own expiry claim."""

    def __init__(self, lid: str) -> None:
        self.lid = lid

    def check(self, key: str, *, now: float) -> KeyCheck:
        return KeyCheck(code=ValidationCode.VALID, reason="ok", claims={"lid": self.lid})


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
    assert (await expiring(world, lic, world.clock.now())).code is ValidationCode.EXPIRED


async def test_a_license_is_valid_until_just_before_expires_at(world_and_license):
    world, lic = world_and_license
    assert (await expiring(world, lic, world.clock.now() + timedelta(microseconds=1))).code is ValidationCode.VALID
    assert (await expiring(world, lic, world.clock.now() - timedelta(microseconds=1))).code is ValidationCode.EXPIRED


def check(world):
    return lambda key: world.container.validate_license()(ValidateLicenseCommand(key=key))


async def test_a_current_key_of_an_active_license_is_valid_and_tells_its_facts(world_and_license):
    world, lic = world_and_license
    result = await check(world)(f"  {lic.key}\n")
    assert result.code is ValidationCode.VALID and result.facts.license_id == lic.id


async def test_a_suspended_or_revoked_license_answers_its_status_with_the_reason(world_and_license):
    from tests.bodies import dispute_body, refund_body

    world, lic = world_and_license
    await world.receive(dispute_body())
    assert (await check(world)(lic.key)).code is ValidationCode.SUSPENDED
    await world.receive(refund_body())
    result = await check(world)(lic.key)
    assert (result.code, result.reason) == (ValidationCode.REVOKED, "refund")


async def test_a_key_replaced_by_a_newer_one_is_revoked_online():
    from tests.bodies import membership_sale_body, subscription_body

    world = World()
    await world.receive(membership_sale_body())
    [old] = world.licenses()
    await world.receive(subscription_body("subscription_updated"))
    result = await check(world)(old.key)
    assert result.code is ValidationCode.REVOKED and "superseded" in result.reason


async def test_a_well_signed_key_this_server_does_not_hold_is_unknown_and_garbage_is_malformed(world_and_license):
    world, lic = world_and_license
    del world.store.licenses[lic.id]
    assert (await check(world)(lic.key)).code is ValidationCode.UNKNOWN
    assert (await check(world)("LIC1.nope")).code is ValidationCode.MALFORMED
    assert (await check(world)("x" * 5000)).code is ValidationCode.MALFORMED
