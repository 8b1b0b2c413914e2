"""One contract for every storage adapter: memory, SQLite and PostgreSQL."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from adapters.sql.engine import create_engine
from adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from core.domain.model import (
    ActorType, Delivery, DeliveryStatus, Event, EventStatus, HistoryEntry, License, LicenseStatus, OutcomeCode,
)
from core.domain.notices import NoticeKind
from ports.errors import AlreadyExists, StorageUnavailable
from tests.conftest import broken_sqlite_url

T0 = datetime(2026, 3, 14, 16, 2, 11, 123456, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def uow(request, wakeup):
    if request.param == "memory":
        yield MemoryUnitOfWorkFactory(wakeup=wakeup)
        return
    engine = create_engine(request.getfixturevalue(f"{request.param}_url"))
    factory = SqlUnitOfWorkFactory(engine, wakeup=wakeup)
    yield factory
    factory.dispose()
    await engine.dispose()


def event(id="evt_1", **kw) -> Event:
    return Event(id=id, source="gumroad", body=b"a=1&b=%5B%5D\x00\xff", content_type="application/x-www-form-urlencoded",
                 received_at=T0, **kw)


def license(id="lic_1", order_id="sale==", **kw) -> License:
    fields = dict(
        id=id, source="gumroad", order_id=order_id, product="acmesoft-pro", tier="desktop", seats=2,
        email="jane@example.com", licensee="Zoë", test=False, status=LicenseStatus.ACTIVE,
        key="LIC1.x.y.z", kid="x", issued_at=T0, created_at=T0, updated_at=T0,
    )
    fields.update(kw)
    return License(**fields)


def delivery(id="dlv_1", license_id="lic_1", due=T0, **kw) -> Delivery:
    return Delivery(id=id, license_id=license_id, recipient="jane@example.com",
                    status=DeliveryStatus.PENDING, created_at=T0, next_attempt_at=due, **kw)


async def add_license(uow, lic=None):
    async with uow() as u:
        await u.licenses.add(lic or license())
        await u.commit()


async def test_an_event_round_trips_byte_for_byte(uow):
    async with uow() as u:
        await u.events.add(event())
        await u.commit()
    async with uow() as u:
        got = await u.events.get("evt_1")
    assert got == event() and got.received_at.tzinfo is not None


async def test_updating_an_event_keeps_its_body_and_saves_the_outcome(uow):
    async with uow() as u:
        await u.events.add(event())
        await u.commit()
    done = replace(event(), status=EventStatus.FAILED, kind=NoticeKind.SALE, external_id="s==", outcome="why",
                   attempts=2, processed_at=T0 + timedelta(seconds=1), body=b"ignored")
    async with uow() as u:
        await u.events.update(done)
        await u.commit()
    async with uow() as u:
        got = await u.events.get("evt_1")
    assert got == replace(done, body=event().body)


async def test_writes_are_invisible_until_commit_and_gone_without_it(uow):
    async with uow() as u:
        await u.events.add(event())
        # no commit
    async with uow() as u:
        assert await u.events.get("evt_1") is None


async def test_a_license_round_trips_and_is_found_by_order_and_subscription(uow):
    lic = license(subscription_id="sub==", expires_at=T0 + timedelta(days=30))
    await add_license(uow, lic)
    async with uow() as u:
        assert await u.licenses.get("lic_1") == lic
        assert await u.licenses.get_by_order("gumroad", "sale==") == lic
        assert await u.licenses.get_by_order("manual", "sale==") is None
        assert await u.licenses.get_by_subscription("gumroad", "sub==") == lic
        assert await u.licenses.get("lic_2") is None


async def test_one_license_per_source_and_order_is_enforced(uow):
    await add_license(uow)
    with pytest.raises(AlreadyExists):
        async with uow() as u:
            await u.licenses.add(license(id="lic_2"))
            await u.commit()
    await add_license(uow, license(id="lic_3", source="manual"))
    async with uow() as u:
        assert (await u.licenses.get_by_order("gumroad", "sale==")).id == "lic_1"


async def test_concurrent_inserts_of_one_order_leave_exactly_one(uow):
    async def attempt(i):
        try:
            async with uow() as u:
                await u.licenses.add(license(id=f"lic_{i}"))
                await u.commit()
            return True
        except AlreadyExists:
            return False

    results = await asyncio.gather(*(attempt(i) for i in range(8)))
    assert results.count(True) == 1


async def test_license_updates_and_history_are_kept_in_order(uow):
    await add_license(uow)
    async with uow() as u:
        lic = await u.licenses.get("lic_1")
        await u.licenses.update(replace(lic, status=LicenseStatus.REVOKED, status_reason="refund"))
        for i, (frm, to) in enumerate([(None, LicenseStatus.ACTIVE), (LicenseStatus.ACTIVE, LicenseStatus.REVOKED)]):
            await u.history.add(HistoryEntry(license_id="lic_1", at=T0 + timedelta(seconds=i), from_status=frm,
                                             to_status=to, reason=f"r{i}", actor_type=ActorType.EVENT, actor_id="evt_1"))
        await u.commit()
    async with uow() as u:
        assert (await u.licenses.get("lic_1")).status is LicenseStatus.REVOKED
        history = await u.history.for_license("lic_1")
    assert [h.reason for h in history] == ["r0", "r1"] and history[0].from_status is None


async def test_claiming_takes_due_unleased_deliveries_oldest_first_and_counts_the_attempt(uow):
    await add_license(uow)
    async with uow() as u:
        await u.deliveries.add(delivery("dlv_late", due=T0 + timedelta(minutes=5)))
        await u.deliveries.add(delivery("dlv_b", due=T0 + timedelta(seconds=2)))
        await u.deliveries.add(delivery("dlv_a", due=T0 + timedelta(seconds=1)))
        await u.deliveries.add(replace(delivery("dlv_sent"), status=DeliveryStatus.SENT))
        await u.commit()
    now = T0 + timedelta(minutes=1)
    async with uow() as u:
        claimed = await u.deliveries.claim_due(now=now, lease_until=now + timedelta(minutes=2), worker_id="w1", limit=10)
        await u.commit()
    assert [d.id for d in claimed] == ["dlv_a", "dlv_b"]
    assert all(d.worker_id == "w1" and d.attempts == 1 and d.lease_until == now + timedelta(minutes=2) for d in claimed)
    async with uow() as u:
        again = await u.deliveries.claim_due(now=now, lease_until=now, worker_id="w2", limit=10)
        await u.commit()
    assert again == []
    later = now + timedelta(minutes=3)
    async with uow() as u:
        taken_over = await u.deliveries.claim_due(now=later, lease_until=later, worker_id="w2", limit=1)
        await u.commit()
    assert [(d.id, d.worker_id, d.attempts) for d in taken_over] == [("dlv_a", "w2", 2)]


async def test_a_result_is_saved_only_while_the_claim_is_held(uow):
    await add_license(uow)
    async with uow() as u:
        await u.deliveries.add(delivery())
        await u.commit()
    async with uow() as u:
        [d] = await u.deliveries.claim_due(now=T0, lease_until=T0 + timedelta(minutes=2), worker_id="w1", limit=5)
        await u.commit()
    sent = replace(d, status=DeliveryStatus.SENT, lease_until=None, worker_id=None, provider_message_id="m1", sent_at=T0)
    async with uow() as u:
        assert await u.deliveries.update(sent, claimed_by="someone-else") is False
        assert await u.deliveries.update(sent, claimed_by="w1") is True
        await u.commit()
    async with uow() as u:
        assert await u.deliveries.get("dlv_1") == sent
        assert await u.deliveries.for_license("lic_1") == [sent]


async def test_concurrent_claims_never_hand_out_one_delivery_twice(uow):
    await add_license(uow)
    async with uow() as u:
        for i in range(30):
            await u.deliveries.add(delivery(f"dlv_{i:02d}"))
        await u.commit()

    async def claim(worker):
        got = []
        while True:
            async with uow() as u:
                batch = await u.deliveries.claim_due(now=T0, lease_until=T0 + timedelta(minutes=2), worker_id=worker, limit=3)
                await u.commit()
            if not batch:
                return got
            got += [d.id for d in batch]

    results = await asyncio.gather(*(claim(f"w{i}") for i in range(4)))
    everything = [d for r in results for d in r]
    assert sorted(everything) == [f"dlv_{i:02d}" for i in range(30)]


async def test_an_unreachable_store_raises_storage_unavailable(uow, tmp_path):
    if isinstance(uow, MemoryUnitOfWorkFactory):
        uow.store.available = False
        broken = uow
    else:
        url = uow.engine.url
        if url.get_backend_name() == "postgresql":
            url = url.set(port=1, host="127.0.0.1")  # nothing listens there
        else:
            url = sa.make_url(broken_sqlite_url(tmp_path))
        broken = SqlUnitOfWorkFactory(create_engine(url.render_as_string(hide_password=False)))
    try:
        with pytest.raises(StorageUnavailable):
            async with broken() as u:
                await u.events.add(event())
                await u.commit()
    finally:
        if broken is not uow:
            broken.dispose()
            await broken.engine.dispose()


async def test_delivery_attempts_are_kept_in_order(uow):
    from core.domain.model import DeliveryAttempt

    await add_license(uow)
    async with uow() as u:
        await u.deliveries.add(delivery())
        await u.deliveries.add_attempt(DeliveryAttempt(delivery_id="dlv_1", at=T0, outcome="transient",
                                                       worker_id="w1", error="451"))
        await u.deliveries.add_attempt(DeliveryAttempt(delivery_id="dlv_1", at=T0 + timedelta(seconds=9),
                                                       outcome="sent", worker_id="w2", provider_message_id="m"))
        await u.commit()
    async with uow() as u:
        attempts = await u.deliveries.attempts("dlv_1")
        assert await u.deliveries.attempts("dlv_2") == []
    assert [(a.outcome, a.worker_id, a.error, a.provider_message_id) for a in attempts] == [
        ("transient", "w1", "451", None), ("sent", "w2", None, "m")]


async def test_listings_filter_and_page_newest_first_without_gaps_or_repeats(uow):
    from core.domain.queries import DeliveryFilter, EventFilter, LicenseFilter, PageRequest

    async with uow() as u:
        for i in range(7):
            at = T0 + timedelta(minutes=i // 2)  # pairs share a time: the id breaks the tie
            await u.licenses.add(license(id=f"lic_{i}", order_id=f"o{i}", created_at=at,
                                         email="Jane@Example.com" if i % 2 else "other@example.com",
                                         test=i == 3))
            await u.events.add(replace(event(f"evt_{i}"), received_at=at,
                                       status=EventStatus.FAILED if i % 3 == 0 else EventStatus.PROCESSED))
            await u.deliveries.add(replace(delivery(f"dlv_{i}", license_id=f"lic_{i}"), created_at=at))
        await u.commit()

    async def everything(repo, where):
        seen, after = [], None
        async with uow() as u:
            while True:
                page = await getattr(u, repo).search(where, PageRequest(after=after, limit=2))
                seen += [x.id for x in page.items]
                if page.next is None:
                    return seen
                after = page.next

    assert await everything("licenses", LicenseFilter()) == [f"lic_{i}" for i in (6, 5, 4, 3, 2, 1, 0)]
    assert await everything("licenses", LicenseFilter(email="jane@example.COM")) == ["lic_5", "lic_3", "lic_1"]
    assert await everything("licenses", LicenseFilter(test=True)) == ["lic_3"]
    assert await everything("licenses", LicenseFilter(created_from=T0 + timedelta(minutes=1),
                                                      created_to=T0 + timedelta(minutes=3))) == ["lic_5", "lic_4", "lic_3", "lic_2"]
    assert await everything("licenses", LicenseFilter(status=LicenseStatus.REVOKED, product="acmesoft-pro")) == []
    assert await everything("events", EventFilter(status=EventStatus.FAILED)) == ["evt_6", "evt_3", "evt_0"]
    assert await everything("deliveries", DeliveryFilter(license_id="lic_4")) == ["dlv_4"]
    assert len(await everything("deliveries", DeliveryFilter(status=DeliveryStatus.PENDING))) == 7


async def test_an_autocommit_unit_keeps_each_write_without_a_commit(uow):
    async with uow(autocommit=True) as u:
        await u.events.add(event())
    async with uow() as u:
        assert await u.events.get("evt_1") == event()
    with pytest.raises(AlreadyExists):
        async with uow(autocommit=True) as u:
            await u.events.add(event())


async def test_licenses_keep_their_terms_gift_and_key_generation_and_may_name_nobody(uow):
    lic = license(licensee=None, quantity=3, price_cents=8700, currency="eur", key_generation=4,
                  gifted_by="giver@example.com", status_reason="refund", status=LicenseStatus.REVOKED)
    await add_license(uow, lic)
    async with uow() as u:
        assert await u.licenses.get(lic.id) == lic
        assert await u.licenses.get("lic_none") is None


async def test_licenses_for_an_email_compare_case_insensitively_oldest_first(uow):
    for i, at in enumerate([T0 + timedelta(seconds=2), T0, T0 + timedelta(seconds=1)]):
        await add_license(uow, license(id=f"lic_{i}", order_id=f"o{i}", email="Jane@Example.com",
                                       created_at=at, updated_at=at))
    await add_license(uow, license(id="lic_other", order_id="other", email="someone@example.com"))
    async with uow() as u:
        found = await u.licenses.for_email(" jane@EXAMPLE.com ")
    assert [x.id for x in found] == ["lic_1", "lic_2", "lic_0"]


async def test_events_for_an_order_or_subscription_come_oldest_first(uow):
    async with uow() as u:
        for i, at in enumerate([T0 + timedelta(seconds=1), T0, T0 + timedelta(seconds=2)]):
            await u.events.add(replace(event(f"evt_{i}"), received_at=at))
        await u.events.add(event("evt_other"))
        await u.commit()
    async with uow() as u:
        for i in range(3):
            e = await u.events.get(f"evt_{i}")
            await u.events.update(replace(e, external_id="sub==", kind=NoticeKind.SALE, outcome_code=OutcomeCode.MINTED))
        await u.commit()
    async with uow() as u:
        found = await u.events.for_external_id("gumroad", "sub==")
        assert [e.id for e in found] == ["evt_1", "evt_0", "evt_2"]
        assert found[0].outcome_code is OutcomeCode.MINTED
        assert await u.events.for_external_id("other-source", "sub==") == []


async def test_deliveries_are_found_by_id_and_license_oldest_first_with_their_key_generation(uow):
    await add_license(uow)
    async with uow() as u:
        await u.deliveries.add(replace(delivery("dlv_b"), created_at=T0 + timedelta(seconds=1), key_generation=2))
        await u.deliveries.add(delivery("dlv_a"))
        await u.commit()
    async with uow() as u:
        assert [d.id for d in await u.deliveries.for_license("lic_1")] == ["dlv_a", "dlv_b"]
        assert (await u.deliveries.get("dlv_b")).key_generation == 2
        assert await u.deliveries.get("dlv_none") is None


async def test_queueing_a_delivery_wakes_the_worker_only_after_commit(uow, wakeup):
    await add_license(uow)
    async with uow() as u:
        await u.deliveries.add(delivery("dlv_rolled_back"))
    assert wakeup.calls == 0
    async with uow() as u:
        await u.deliveries.add(delivery("dlv_1"))
        await u.deliveries.add(delivery("dlv_2"))
        assert wakeup.calls == 0
        await u.commit()
    assert wakeup.calls == 1


async def test_after_commit_effects_run_once_in_order_and_never_on_rollback(uow):
    ran = []
    async with uow() as u:
        u.after_commit(lambda: ran.append("dropped"))
    async with uow() as u:
        u.after_commit(lambda: ran.append("first"))
        u.after_commit(lambda: ran.append("second"))
        await u.commit()
    assert ran == ["first", "second"]


async def test_units_that_lock_one_key_apply_one_at_a_time(uow):
    await add_license(uow, license(seats=0))

    async def increment() -> None:
        async with uow() as u:
            await u.lock("gumroad\0sale==")
            lic = await u.licenses.get("lic_1")
            await asyncio.sleep(0)  # give another unit the chance to interleave
            await u.licenses.update(replace(lic, seats=lic.seats + 1))
            await u.commit()

    await asyncio.gather(*(increment() for _ in range(8)))
    async with uow() as u:
        assert (await u.licenses.get("lic_1")).seats == 8


async def test_an_event_keeps_its_origin_and_a_pending_confirmation_status(uow):
    from core.domain.model import EventOrigin
    from core.domain.queries import EventFilter, PageRequest

    async with uow() as u:
        await u.events.add(event("evt_r", origin=EventOrigin.RECONCILE))
        await u.events.add(event("evt_w"))
        await u.commit()
    async with uow() as u:
        await u.events.update(replace(await u.events.get("evt_w"), status=EventStatus.PENDING_CONFIRMATION))
        await u.commit()
    async with uow() as u:
        assert (await u.events.get("evt_r")).origin is EventOrigin.RECONCILE
        assert (await u.events.get("evt_w")).origin is EventOrigin.WEBHOOK
        pending = await u.events.search(EventFilter(status=EventStatus.PENDING_CONFIRMATION), PageRequest())
        assert [e.id for e in pending.items] == ["evt_w"]
        found = await u.events.search(EventFilter(origin=EventOrigin.RECONCILE), PageRequest())
        assert [e.id for e in found.items] == ["evt_r"]


async def test_the_reconciliation_point_is_created_then_replaced_and_rolls_back(uow):
    from datetime import date

    from core.domain.sales import ReconcilePoint

    async with uow() as u:
        assert await u.reconciliation.get("gumroad") is None
        await u.reconciliation.save(ReconcilePoint(source="gumroad", updated_at=T0, run_after=date(2026, 3, 1),
                                                   run_started_at=T0, page_key="20260314160211000000-42"))
        await u.commit()
    done = ReconcilePoint(source="gumroad", updated_at=T0 + timedelta(minutes=1), reconciled_to=T0)
    async with uow() as u:
        await u.reconciliation.save(done)
        await u.commit()
    async with uow() as u:
        await u.reconciliation.save(replace(done, page_key="not-committed"))
    async with uow() as u:
        assert await u.reconciliation.get("gumroad") == done
        assert await u.reconciliation.get("other") is None


@pytest.mark.postgres
async def test_a_connection_postgresql_dropped_costs_one_failure_and_leaves_the_pool(postgres_url):
    """A pooled connection whose backend was killed fails its unit of work once, as
    StorageUnavailable, and is thrown away: the next unit of work gets a working one."""
    import asyncpg

    factory = SqlUnitOfWorkFactory(create_engine(postgres_url, pool_size=1))
    try:
        async with factory(autocommit=True) as u:  # the pool's one connection, opened
            assert await u.events.get("evt_none") is None
        admin = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        finally:
            await admin.close()
        with pytest.raises(StorageUnavailable):
            async with factory() as u:
                await u.lock("order-1")
                await u.events.add(event())
                await u.commit()
        async with factory() as u:
            await u.lock("order-1")
            await u.events.add(event())
            await u.commit()
        async with factory(autocommit=True) as u:
            assert (await u.events.get("evt_1")) is not None
    finally:
        factory.dispose()
        await factory.engine.dispose()
