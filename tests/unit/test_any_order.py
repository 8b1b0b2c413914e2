"""Proof that a license follows the money in any order: for the events of a one-time sale
and of a membership, every order of arrival, with any of them repeated, ends where the
in-order sequence ends (status, tier, seats, key generation, paid period, one license, emails).

Full strength on the memory adapters; a sample on SQLite and PostgreSQL, where each example
uses fresh order and subscription ids in one database."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.domain.model import DeliveryStatus, EventStatus, License
from tests.bodies import (
    FIRST_MEMBERSHIP_SALE, dispute_body, dispute_won_body, membership_refund_body, membership_sale_body,
    refund_body, renewal_body, sale_body, subscription_body, with_ids,
)
from tests.unit.world import World

SALE_ID = "FO8TXN-dbxYaBdahG97Y-Q=="
SUBSCRIPTION = "GDzW4_aBdQc-o7Gbjng7lw=="
RENEWAL_1 = "u1Lw9dP7c3Xe0FqJm4ZtYQ=="
RENEWAL_2 = "r2Kx8cQ6b2Wd9EpIl3YsXP=="

# In the order Gumroad would send them when nothing goes wrong.
ONE_TIME: dict[str, Callable[[], bytes]] = {
    "sale": sale_body,
    "partial refund": lambda: refund_body(refunded=False),
    "dispute": dispute_body,
    "dispute won": dispute_won_body,
    "full refund": refund_body,
}
MEMBERSHIP: dict[str, Callable[[], bytes]] = {
    "first charge": membership_sale_body,
    "renewal": renewal_body,
    "cancellation": lambda: subscription_body("cancellation"),
    "tier update": lambda: subscription_body("subscription_updated"),
    "ended": lambda: subscription_body("subscription_ended"),
    "restarted": lambda: subscription_body("subscription_restarted"),
    "second renewal": lambda: renewal_body(RENEWAL_2, sale_timestamp="2025-07-05T09:00:00Z"),
    "refund of the first charge": lambda: membership_refund_body(FIRST_MEMBERSHIP_SALE),
    "refund of a renewal": lambda: membership_refund_body(RENEWAL_1),
}
IDS = (SALE_ID, SUBSCRIPTION, FIRST_MEMBERSHIP_SALE, RENEWAL_1, RENEWAL_2)


@dataclass(frozen=True)
class Ending:
    licenses: int
    status: str | None
    tier: str | None
    seats: int | None
    generation: int | None
    emails: int
    paid_until: object = None


def arrivals(names: list[str]) -> st.SearchStrategy[list[str]]:
    """Any order of any of the events, each possibly repeated; often all of them."""
    everything = st.permutations(names).flatmap(
        lambda order: st.lists(st.sampled_from(names), max_size=4).flatmap(
            lambda extra: st.permutations([*order, *extra])))
    return st.one_of(everything, st.lists(st.sampled_from(names), min_size=1, max_size=12))


def in_order(arrived: list[str], names: list[str]) -> list[str]:
    return sorted(set(arrived), key=names.index)


class Run:
    """One sequence posted to a world under ids of its own."""

    counter = itertools.count()

    def __init__(self, world: World, bodies: dict[str, Callable[[], bytes]]) -> None:
        self.world = world
        self.bodies = bodies
        n = next(self.counter)
        self.renames = {i: f"{i[:-2]}-{n}==" for i in IDS}

    async def post(self, names: list[str]) -> Ending:
        for name in names:
            event = await self.world.receive(with_ids(self.bodies[name](), self.renames))
            assert event.status is EventStatus.PROCESSED, (name, event.outcome)
        while (await self.world.deliver_due()).claimed:
            pass
        return await self.ending()

    async def ending(self) -> Ending:
        mine = {self.renames[i] for i in IDS}
        lics: list[License] = [x for x in await self.world.all_licenses()
                               if x.order_id in mine or x.subscription_id in mine]
        sent = [d for d in await self.world.all_deliveries()
                if d.license_id in {x.id for x in lics} and d.status is DeliveryStatus.SENT]
        per_key = [(d.license_id, d.key_generation) for d in sent]
        assert len(per_key) == len(set(per_key)), "one key emailed twice"
        if not lics:
            return Ending(licenses=0, status=None, tier=None, seats=None, generation=None, emails=len(sent))
        lic = lics[0]
        return Ending(licenses=len(lics), status=lic.status.value, tier=lic.tier, seats=lic.seats,
                      generation=lic.key_generation, emails=len(sent), paid_until=lic.paid_until)


async def same_ending(world: World, bodies: dict[str, Callable[[], bytes]], arrived: list[str]) -> None:
    names = list(bodies)
    expected = await Run(world, bodies).post(in_order(arrived, names))
    assert await Run(world, bodies).post(arrived) == expected, arrived


def PROPERTY(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@PROPERTY(200)
@given(arrived=arrivals(list(ONE_TIME)))
async def test_a_one_time_sale_ends_the_same_whatever_the_order_on_memory(arrived):
    await same_ending(World(), ONE_TIME, arrived)


@PROPERTY(200)
@given(arrived=arrivals(list(MEMBERSHIP)))
async def test_a_membership_ends_the_same_whatever_the_order_on_memory(arrived):
    await same_ending(World(), MEMBERSHIP, arrived)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_world(request):
    world = World(request.getfixturevalue(f"{request.param}_url"))
    yield world
    await world.close()


@PROPERTY(8)
@given(arrived=arrivals(list(ONE_TIME)))
async def test_a_sample_of_one_time_sale_orders_ends_the_same_on_the_real_databases(db_world, arrived):
    await same_ending(db_world, ONE_TIME, arrived)


@PROPERTY(8)
@given(arrived=arrivals(list(MEMBERSHIP)))
async def test_a_sample_of_membership_orders_ends_the_same_on_the_real_databases(db_world, arrived):
    await same_ending(db_world, MEMBERSHIP, arrived)
