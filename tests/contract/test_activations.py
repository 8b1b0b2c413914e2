"""The activations repository's contract on memory, SQLite and PostgreSQL."""

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from core.domain.activation import Activation, ActivationAction, ActivationActor, ActivationRecord
from ports.errors import AlreadyExists
from tests.contract.test_unit_of_work import T0, add_license, license, uow  # noqa: F401  (fixture)


def activation(id="act_1", machine="a" * 64, at=T0, **kw) -> Activation:
    fields = dict(id=id, license_id="lic_1", machine=machine, label="Zoë's laptop", platform="linux",
                  activated_at=at, refreshed_at=at, lease_expires_at=at + timedelta(days=30))
    fields.update(kw)
    return Activation(**fields)


async def test_an_activation_round_trips_and_is_found_by_machine(uow):
    await add_license(uow)
    async with uow() as u:
        await u.activations.add(activation())
        await u.commit()
    async with uow() as u:
        assert await u.activations.get("act_1") == activation()
        assert await u.activations.for_machine("lic_1", "a" * 64) == activation()
        assert await u.activations.for_machine("lic_1", "b" * 64) is None
        assert await u.activations.get("act_x") is None


async def test_one_machine_holds_at_most_one_seat_of_a_license(uow):
    await add_license(uow)
    async with uow() as u:
        await u.activations.add(activation())
        await u.commit()
    with pytest.raises(AlreadyExists):
        async with uow() as u:
            await u.activations.add(activation(id="act_2"))
            await u.commit()
    async with uow() as u:
        assert [a.id for a in await u.activations.for_license("lic_1")] == ["act_1"]


async def test_machines_list_oldest_first_and_update_and_remove_change_them(uow):
    await add_license(uow)
    async with uow() as u:
        await u.activations.add(activation("act_2", "b" * 64, at=T0 + timedelta(seconds=1)))
        await u.activations.add(activation("act_1", "a" * 64))
        await u.commit()
    later = replace(activation(), refreshed_at=T0 + timedelta(days=1), lease_expires_at=T0 + timedelta(days=31),
                    label=None)
    async with uow() as u:
        await u.activations.update(later)
        assert await u.activations.remove("act_2") is True
        assert await u.activations.remove("act_2") is False
        await u.commit()
    async with uow() as u:
        assert list(await u.activations.for_license("lic_1")) == [later]


async def test_history_rows_keep_every_field_in_order_and_roll_back_with_the_unit(uow):
    await add_license(uow)
    rows = [
        ActivationRecord(license_id="lic_1", at=T0, action=ActivationAction.ACTIVATED,
                         actor_type=ActivationActor.BUYER, activation_id="act_1", machine="a" * 64),
        ActivationRecord(license_id="lic_1", at=T0, action=ActivationAction.SEATS_CHANGED,
                         actor_type=ActivationActor.OPERATOR, actor_id="alice", detail="seats 3 → 1"),
    ]
    async with uow() as u:
        for row in rows:
            await u.activations.add_record(row)
        await u.commit()
    async with uow() as u:
        await u.activations.add_record(replace(rows[0], action=ActivationAction.RELEASED))
        await u.activations.add(activation())
    async with uow() as u:
        assert list(await u.activations.records("lic_1")) == rows
        assert list(await u.activations.for_license("lic_1")) == []


async def test_the_license_lock_makes_a_second_unit_wait_for_the_first(uow):
    await add_license(uow)
    order = []
    first_has_lock = asyncio.Event()

    async def first():
        async with uow() as u:
            await u.activations.lock_license("lic_1")
            first_has_lock.set()
            await asyncio.sleep(0.2)
            await u.activations.add(activation())
            order.append("first")
            await u.commit()

    async def second():
        await first_has_lock.wait()
        async with uow() as u:
            await u.activations.lock_license("lic_1")
            held = await u.activations.for_license("lic_1")
            order.append(f"second saw {len(held)}")
            await u.commit()

    await asyncio.gather(first(), second())
    assert order == ["first", "second saw 1"]


async def test_a_license_round_trips_its_paid_period(uow):
    await add_license(uow, license(paid_until=T0 + timedelta(days=31)))
    async with uow() as u:
        assert (await u.licenses.get("lic_1")).paid_until == T0 + timedelta(days=31)
