"""Machine activation on memory adapters: seats, leases, releases and their history."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from adapters.catalog.yaml_catalog import YamlCatalog

from adapters.signing.verifier import VALID, verify_lease
from core.domain.activation import ActivationAction, ActivationActor, machine_hash, paid_period_end
from core.usecases.activate_machine import ActivateMachine, ActivateMachineCommand
from core.usecases.change_license_status import ChangeLicenseStatus, ChangeLicenseStatusCommand
from core.usecases.change_seats import ChangeSeats, ChangeSeatsCommand
from core.usecases.deactivate_machine import DeactivateMachine, DeactivateMachineCommand
from core.usecases.list_activations import ListActivations, ListActivationsCommand
from core.usecases.release_activations import ReleaseActivations, ReleaseActivationsCommand
from core.usecases.validate_license import ValidateLicense, ValidateLicenseCommand
from tests.bodies import _edit, membership_sale_body, sale_body, subscription_body
from tests.unit.world import ROOT, World


class Machines(World):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        c = self.container
        self.activate_uc: ActivateMachine = c.activate_machine()
        self.deactivate_uc: DeactivateMachine = c.deactivate_machine()
        self.validate: ValidateLicense = c.validate_license()
        self.list: ListActivations = c.list_activations()
        self.release: ReleaseActivations = c.release_activations()
        self.seats: ChangeSeats = c.change_seats()
        self.status: ChangeLicenseStatus = c.change_license_status()

    async def license(self, quantity: int = 3):
        await self.receive(sale_body(quantity=str(quantity)))
        [lic] = self.licenses()
        return lic

    async def activate(self, key: str, fingerprint: str, **kw):
        return await self.activate_uc(ActivateMachineCommand(key=key, fingerprint=fingerprint, **kw))

    async def deactivate(self, key: str, fingerprint: str):
        return await self.deactivate_uc(DeactivateMachineCommand(key=key, fingerprint=fingerprint))

    async def history(self, lic_id: str):
        return (await self.list(ListActivationsCommand(license_id=lic_id))).history

    def public_keys(self):
        return {k.kid: k.public_key for k in self.signer.published}


@pytest.fixture
def world() -> Machines:
    return Machines()


FP = [f"machine-{i:04d}-fingerprint" for i in range(10)]


async def test_a_new_machine_takes_a_seat_and_gets_a_lease_that_verifies_offline(world):
    lic = await world.license()
    result = await world.activate(lic.key, FP[0], label="Jane's MacBook", platform="macos")
    assert (result.code, result.created) == ("ACTIVATED", True)
    assert (result.activation.label, result.activation.platform) == ("Jane's MacBook", "macos")
    now = int(world.clock.now().timestamp())
    verified = verify_lease(result.lease, world.public_keys().values(), now=now)
    assert verified.code == VALID, verified.reason
    claims = verified.claims
    assert claims == {"v": 1, "lid": lic.id, "product": lic.product, "tier": lic.tier,
                      "machine": machine_hash(FP[0]), "iat": now, "exp": now + 30 * 86400, "test": False}
    assert int(result.activation.lease_expires_at.timestamp()) == claims["exp"]
    assert machine_hash(FP[0]) == hashlib.sha256(FP[0].encode()).hexdigest()


async def test_only_the_hash_of_the_fingerprint_is_stored(world):
    lic = await world.license()
    await world.activate(lic.key, FP[0])
    [activation] = world.store.activations.values()
    assert activation.machine == machine_hash(FP[0]) and FP[0] not in repr(world.store.activations)
    assert FP[0] not in repr(world.store.activation_records)


async def test_the_same_machine_again_refreshes_its_lease_and_takes_no_second_seat(world):
    lic = await world.license(quantity=1)
    first = await world.activate(lic.key, FP[0], label="old")
    world.clock.advance(days=20)
    again = await world.activate(lic.key, FP[0])
    assert (again.code, again.created) == ("ACTIVATED", False)
    assert again.activation.id == first.activation.id and again.activation.label == "old"
    assert again.activation.lease_expires_at == first.activation.lease_expires_at + timedelta(days=20)
    assert [r.action for r in await world.history(lic.id)] == [ActivationAction.ACTIVATED, ActivationAction.REFRESHED]


async def test_a_machine_past_the_seats_is_refused_with_the_counts(world):
    lic = await world.license(quantity=3)
    for fp in FP[:3]:
        assert (await world.activate(lic.key, fp)).created
    refused = await world.activate(lic.key, FP[3])
    assert (refused.code, refused.seats, refused.active, refused.lease) == ("TOO_MANY_MACHINES", 3, 3, None)


async def test_deactivating_frees_the_seat_at_once_for_another_machine(world):
    lic = await world.license(quantity=1)
    await world.activate(lic.key, FP[0])
    assert (await world.activate(lic.key, FP[1])).code == "TOO_MANY_MACHINES"
    assert (await world.deactivate(lic.key, FP[0])).code == "DEACTIVATED"
    assert (await world.deactivate(lic.key, FP[0])).code == "NOT_ACTIVATED"
    assert (await world.activate(lic.key, FP[1])).created
    actions = [(r.action, r.actor_type) for r in await world.history(lic.id)]
    assert actions == [(ActivationAction.ACTIVATED, ActivationActor.BUYER),
                       (ActivationAction.DEACTIVATED, ActivationActor.BUYER),
                       (ActivationAction.ACTIVATED, ActivationActor.BUYER)]


@pytest.mark.parametrize("fingerprint", ["short", "x" * 257, "has space inside", "tab\tinside!", "zoë-machine-01", ""])
async def test_a_fingerprint_outside_the_rules_is_refused(world, fingerprint):
    lic = await world.license()
    assert (await world.activate(lic.key, fingerprint)).code == "INVALID_FINGERPRINT"
    assert (await world.deactivate(lic.key, fingerprint)).code == "INVALID_FINGERPRINT"
    assert not world.store.activations


async def test_fingerprints_of_exactly_8_and_256_printable_characters_are_accepted(world):
    lic = await world.license()
    assert (await world.activate(lic.key, "!" * 8)).created
    assert (await world.activate(lic.key, "~" * 256)).created


@pytest.mark.parametrize("action, code", [("revoke", "REVOKED"), ("suspend", "SUSPENDED")])
async def test_a_revoked_or_suspended_license_can_neither_activate_nor_refresh(world, action, code):
    lic = await world.license()
    await world.activate(lic.key, FP[0])
    await world.status(ChangeLicenseStatusCommand(license_id=lic.id, action=action, reason="test", admin="alice"))
    assert (await world.activate(lic.key, FP[0])).code == code
    assert (await world.activate(lic.key, FP[1])).code == code
    assert len(world.store.activations) == 1
    assert (await world.deactivate(lic.key, FP[0])).code == "DEACTIVATED"  # giving a seat back is allowed


@pytest.mark.parametrize("key, code", [("LIC1.nope", "MALFORMED"), ("", "MALFORMED"), (" \t\r\n", "MALFORMED")])
async def test_a_key_that_is_not_valid_answers_its_validation_code(world, key, code):
    assert (await world.activate(key, FP[0])).code == code
    assert (await world.deactivate(key, FP[0])).code == code


async def test_a_tampered_key_is_a_bad_signature(world):
    lic = await world.license()
    tampered = lic.key[:-2] + ("AA" if lic.key[-2:] != "AA" else "BB")
    assert (await world.activate(tampered, FP[0])).code == "BAD_SIGNATURE"


def with_desktop_terms(terms: str) -> Machines:
    """A world whose catalog gives the desktop tier these extra YAML lines."""
    text = (ROOT / "config/products.yaml").read_text().replace(
        "        name: Desktop License\n", "        name: Desktop License\n" + terms)
    return Machines(catalog=YamlCatalog.from_data(yaml.safe_load(text), "products.yaml"))


async def test_a_key_that_expired_cannot_activate_and_a_lease_never_outlives_the_key():
    world = with_desktop_terms("        expires_after_days: 10\n")
    lic = await world.license()
    result = await world.activate(lic.key, FP[0])
    assert result.activation.lease_expires_at == lic.expires_at.replace(microsecond=0)
    world.clock.advance(days=11)
    assert (await world.activate(lic.key, FP[0])).code == "EXPIRED"


async def test_a_seat_whose_lease_lapsed_for_two_lease_lengths_is_released_by_the_system(world):
    lic = await world.license(quantity=1)
    await world.activate(lic.key, FP[0])
    world.clock.advance(days=30 + 59)
    assert (await world.activate(lic.key, FP[1])).code == "TOO_MANY_MACHINES"
    world.clock.advance(days=1)
    assert (await world.activate(lic.key, FP[1])).created
    released = [r for r in await world.history(lic.id) if r.action is ActivationAction.RELEASED]
    assert [(r.actor_type, r.machine) for r in released] == [(ActivationActor.SYSTEM, machine_hash(FP[0]))]


async def test_lease_length_and_release_time_come_from_the_tier():
    world = with_desktop_terms("        lease_days: 2\n        release_after_days: 1\n")
    lic = await world.license(quantity=1)
    first = await world.activate(lic.key, FP[0])
    assert first.activation.lease_expires_at == world.clock.now() + timedelta(days=2)
    world.clock.advance(days=3, seconds=-1)
    assert (await world.activate(lic.key, FP[1])).code == "TOO_MANY_MACHINES"
    world.clock.advance(seconds=1)
    assert (await world.activate(lic.key, FP[1])).created


async def test_lowered_seats_refuse_new_machines_until_enough_are_released(world):
    lic = await world.license(quantity=3)
    for fp in FP[:3]:
        await world.activate(lic.key, fp)
    changed = await world.seats(ChangeSeatsCommand(license_id=lic.id, seats=1, admin="alice"))
    assert changed.seats == 1 and len(world.store.activations) == 3
    refused = await world.activate(lic.key, FP[3])
    assert (refused.code, refused.seats, refused.active) == ("TOO_MANY_MACHINES", 1, 3)
    assert (await world.activate(lic.key, FP[0])).code == "ACTIVATED"  # a holder still refreshes
    await world.deactivate(lic.key, FP[0])
    await world.deactivate(lic.key, FP[1])
    assert (await world.activate(lic.key, FP[3])).code == "TOO_MANY_MACHINES"
    await world.deactivate(lic.key, FP[2])
    assert (await world.activate(lic.key, FP[3])).created
    [seat_change] = [r for r in await world.history(lic.id) if r.action is ActivationAction.SEATS_CHANGED]
    assert (seat_change.actor_type, seat_change.actor_id, seat_change.detail) == (
        ActivationActor.OPERATOR, "alice", "seats 3 → 1")


async def test_an_operator_deactivates_one_machine_or_resets_all_and_is_named(world):
    lic = await world.license(quantity=3)
    ids = [(await world.activate(lic.key, fp)).activation.id for fp in FP[:3]]
    assert await world.release(ReleaseActivationsCommand(license_id=lic.id, activation_id=ids[0], admin="bob")) == 1
    assert await world.release(ReleaseActivationsCommand(license_id=lic.id, admin="carol")) == 2
    assert await world.release(ReleaseActivationsCommand(license_id=lic.id, admin="carol")) == 0
    operator_rows = [(r.actor_id, r.activation_id) for r in await world.history(lic.id)
                     if r.actor_type is ActivationActor.OPERATOR]
    assert operator_rows == [("bob", ids[0]), ("carol", ids[1]), ("carol", ids[2])]
    listed = await world.list(ListActivationsCommand(license_id=lic.id))
    assert listed.activations == []


async def test_validate_with_a_fingerprint_says_whether_that_machine_is_activated(world):
    lic = await world.license()
    await world.activate(lic.key, FP[0])
    on = await world.validate(ValidateLicenseCommand(key=lic.key, fingerprint=FP[0]))
    off = await world.validate(ValidateLicenseCommand(key=lic.key, fingerprint=FP[1]))
    plain = await world.validate(ValidateLicenseCommand(key=lic.key))
    assert (on.code, on.activated) == ("VALID", True)
    assert (off.code, off.activated) == ("VALID", False)
    assert (plain.code, plain.activated) == ("VALID", None)


async def test_a_tier_change_re_keys_the_license_and_keeps_its_machines(world):
    world.clock.current = datetime(2025, 6, 10, tzinfo=UTC)
    await world.receive(membership_sale_body(sale_timestamp="2025-06-01T09:00:00Z"))
    [lic] = world.licenses()
    await world.activate(lic.key, FP[0])
    await world.receive(subscription_body("subscription_updated"))
    [rekeyed] = world.licenses()
    assert rekeyed.key != lic.key and rekeyed.tier != lic.tier
    assert (await world.activate(lic.key, FP[0])).code == "REVOKED"
    refreshed = await world.activate(rekeyed.key, FP[0])
    assert (refreshed.code, refreshed.created) == ("ACTIVATED", False)


async def test_a_membership_lease_stops_at_the_paid_period_plus_the_grace(world):
    world.clock.current = datetime(2025, 6, 20, tzinfo=UTC)
    await world.receive(membership_sale_body(sale_timestamp="2025-06-01T09:00:00Z"))
    [lic] = world.licenses()
    assert lic.paid_until == datetime(2025, 7, 1, 9, tzinfo=UTC)
    result = await world.activate(lic.key, FP[0])
    assert result.activation.lease_expires_at == datetime(2025, 7, 8, 9, tzinfo=UTC)
    world.clock.current = datetime(2025, 7, 8, 9, tzinfo=UTC)
    assert (await world.activate(lic.key, FP[0])).code == "EXPIRED"
    await world.receive(_renewal("2025-07-01T09:00:05Z"))
    [renewed] = world.licenses()
    assert renewed.paid_until == datetime(2025, 8, 1, 9, 0, 5, tzinfo=UTC)
    assert (await world.activate(lic.key, FP[0])).activation.lease_expires_at == datetime(2025, 8, 7, 9, tzinfo=UTC)


def _renewal(at: str) -> bytes:
    return _edit("06_sale_recurring_membership_charge", {"sale_id": "renewal-july", "sale_timestamp": at})


@pytest.mark.parametrize("charged, recurrence, end", [
    (datetime(2025, 1, 31, tzinfo=UTC), "monthly", datetime(2025, 2, 28, tzinfo=UTC)),
    (datetime(2025, 11, 15, tzinfo=UTC), "quarterly", datetime(2026, 2, 15, tzinfo=UTC)),
    (datetime(2024, 2, 29, tzinfo=UTC), "yearly", datetime(2025, 2, 28, tzinfo=UTC)),
    (datetime(2025, 3, 1, tzinfo=UTC), "every_two_years", datetime(2027, 3, 1, tzinfo=UTC)),
    (datetime(2025, 3, 1, tzinfo=UTC), "biannually", datetime(2025, 9, 1, tzinfo=UTC)),
    (datetime(2025, 3, 1, tzinfo=UTC), None, None),
])
def test_the_paid_period_ends_a_recurrence_after_the_charge(charged, recurrence, end):
    assert paid_period_end(charged, recurrence) == end
