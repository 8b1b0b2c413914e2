"""An in-memory unit of work. Transactions are serialised by a lock (as SQLite serialises
writers), and a rollback restores the snapshot taken when the unit began."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Self, TypeVar

from adapters.memory.activations import MemoryActivationRepository
from core.domain.activation import Activation, ActivationRecord
from core.domain.model import Delivery, DeliveryAttempt, DeliveryStatus, Event, HistoryEntry, License
from core.domain.queries import DeliveryFilter, EventFilter, LicenseFilter, Page, PageRequest, page_of
from core.domain.sales import ReconcilePoint
from ports.errors import AlreadyExists, StorageUnavailable
from ports.unit_of_work import UnitOfWorkFactory
from ports.wakeup import Wakeup


T = TypeVar("T")


def _page(items: Iterable[T], page: PageRequest, key: Callable[[T], tuple[datetime, str]]) -> Page[T]:
    ordered = sorted(items, key=key, reverse=True)
    if page.after is not None:
        ordered = [x for x in ordered if key(x) < (page.after.at, page.after.id)]
    return page_of(ordered[: page.limit + 1], page, key)


@dataclass
class MemoryStore:
    events: dict[str, Event] = field(default_factory=dict)
    licenses: dict[str, License] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    attempts: list[DeliveryAttempt] = field(default_factory=list)
    activations: dict[str, Activation] = field(default_factory=dict)
    activation_records: list[ActivationRecord] = field(default_factory=list)
    points: dict[str, ReconcilePoint] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    available: bool = True

    def snapshot(self) -> tuple[Any, ...]:
        return (dict(self.events), dict(self.licenses), list(self.history), dict(self.deliveries),
                list(self.attempts), dict(self.activations), list(self.activation_records), dict(self.points))

    def restore(self, snap: tuple[Any, ...]) -> None:
        (self.events, self.licenses, self.history, self.deliveries, self.attempts, self.activations,
         self.activation_records, self.points) = snap


class MemoryEventRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    async def add(self, event: Event) -> None:
        if event.id in self._s.events:
            raise AlreadyExists(f"event {event.id}")
        self._s.events[event.id] = event

    async def get(self, event_id: str) -> Event | None:
        return self._s.events.get(event_id)

    async def for_external_id(self, source: str, external_id: str) -> Sequence[Event]:
        found = [e for e in self._s.events.values() if e.source == source and e.external_id == external_id]
        return sorted(found, key=lambda e: (e.received_at, e.id))

    async def search(self, where: EventFilter, page: PageRequest) -> Page[Event]:
        found = [
            e for e in self._s.events.values()
            if (where.source is None or e.source == where.source)
            and (where.kind is None or e.kind is where.kind)
            and (where.status is None or e.status is where.status)
            and (where.origin is None or e.origin is where.origin)
        ]
        return _page(found, page, lambda e: (e.received_at, e.id))

    async def update(self, event: Event) -> None:
        old = self._s.events[event.id]
        self._s.events[event.id] = replace(
            event, body=old.body, source=old.source, content_type=old.content_type,
            received_at=old.received_at,
        )


class MemoryLicenseRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    async def add(self, license: License) -> None:
        if license.id in self._s.licenses or await self.get_by_order(license.source, license.order_id):
            raise AlreadyExists(f"license for {license.source}/{license.order_id}")
        self._s.licenses[license.id] = license

    async def get(self, license_id: str) -> License | None:
        return self._s.licenses.get(license_id)

    async def get_by_order(self, source: str, order_id: str) -> License | None:
        return self._first(lambda x: x.source == source and x.order_id == order_id)

    async def get_by_subscription(self, source: str, subscription_id: str) -> License | None:
        return self._first(lambda x: x.source == source and x.subscription_id == subscription_id)

    async def for_email(self, email: str) -> Sequence[License]:
        wanted = email.strip().lower()
        found = [x for x in self._s.licenses.values() if x.email.lower() == wanted]
        return sorted(found, key=lambda x: x.created_at)

    async def search(self, where: LicenseFilter, page: PageRequest) -> Page[License]:
        email = where.email.strip().lower() if where.email is not None else None
        found = [
            x for x in self._s.licenses.values()
            if (email is None or x.email.lower() == email)
            and (where.status is None or x.status is where.status)
            and (where.product is None or x.product == where.product)
            and (where.source is None or x.source == where.source)
            and (where.test is None or x.test == where.test)
            and (where.created_from is None or x.created_at >= where.created_from)
            and (where.created_to is None or x.created_at < where.created_to)
        ]
        return _page(found, page, lambda x: (x.created_at, x.id))

    async def update(self, license: License) -> None:
        self._s.licenses[license.id] = license

    def _first(self, match: Callable[[License], bool]) -> License | None:
        found = sorted((x for x in self._s.licenses.values() if match(x)), key=lambda x: x.created_at)
        return found[0] if found else None


class MemoryHistoryRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    async def add(self, entry: HistoryEntry) -> None:
        self._s.history.append(entry)

    async def for_license(self, license_id: str) -> Sequence[HistoryEntry]:
        return [h for h in self._s.history if h.license_id == license_id]


class MemoryDeliveryRepository:
    def __init__(self, store: MemoryStore, on_add: Callable[[], None] = lambda: None) -> None:
        self._s = store
        self._on_add = on_add

    async def add(self, delivery: Delivery) -> None:
        if delivery.id in self._s.deliveries:
            raise AlreadyExists(f"delivery {delivery.id}")
        self._s.deliveries[delivery.id] = delivery
        self._on_add()

    async def get(self, delivery_id: str) -> Delivery | None:
        return self._s.deliveries.get(delivery_id)

    async def for_license(self, license_id: str) -> Sequence[Delivery]:
        found = [d for d in self._s.deliveries.values() if d.license_id == license_id]
        return sorted(found, key=lambda d: (d.created_at, d.id))

    async def search(self, where: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        found = [
            d for d in self._s.deliveries.values()
            if (where.status is None or d.status is where.status)
            and (where.license_id is None or d.license_id == where.license_id)
        ]
        return _page(found, page, lambda d: (d.created_at, d.id))

    async def claim_due(
        self, *, now: datetime, lease_until: datetime, worker_id: str, limit: int
    ) -> Sequence[Delivery]:
        due = sorted(
            (
                d
                for d in self._s.deliveries.values()
                if d.status is DeliveryStatus.PENDING
                and d.next_attempt_at <= now
                and (d.lease_until is None or d.lease_until < now)
            ),
            key=lambda d: (d.next_attempt_at, d.id),
        )[:limit]
        claimed = []
        for d in due:
            c = replace(d, lease_until=lease_until, worker_id=worker_id, attempts=d.attempts + 1)
            self._s.deliveries[d.id] = c
            claimed.append(c)
        return claimed

    async def update(self, delivery: Delivery, *, claimed_by: str | None = None) -> bool:
        current = self._s.deliveries.get(delivery.id)
        if current is None or (claimed_by is not None and current.worker_id != claimed_by):
            return False
        self._s.deliveries[delivery.id] = delivery
        return True

    async def add_attempt(self, attempt: DeliveryAttempt) -> None:
        self._s.attempts.append(attempt)

    async def attempts(self, delivery_id: str) -> Sequence[DeliveryAttempt]:
        return [a for a in self._s.attempts if a.delivery_id == delivery_id]


class MemoryReconciliationRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    async def get(self, source: str) -> ReconcilePoint | None:
        return self._s.points.get(source)

    async def save(self, point: ReconcilePoint) -> None:
        self._s.points[point.source] = point


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore, autocommit: bool = False, wakeup: Wakeup | None = None) -> None:
        self._store = store
        self._autocommit = autocommit
        self._snapshot: tuple[Any, ...] | None = None
        self._effects: list[Callable[[], None]] = []
        self._events = MemoryEventRepository(store)
        self._licenses = MemoryLicenseRepository(store)
        self._history = MemoryHistoryRepository(store)
        wake = (lambda: self.after_commit(wakeup.notify)) if wakeup is not None else (lambda: None)
        self._deliveries = MemoryDeliveryRepository(store, on_add=wake)
        self._activations = MemoryActivationRepository(store)
        self._reconciliation = MemoryReconciliationRepository(store)

    @property
    def events(self) -> MemoryEventRepository:
        return self._events

    @property
    def licenses(self) -> MemoryLicenseRepository:
        return self._licenses

    @property
    def history(self) -> MemoryHistoryRepository:
        return self._history

    @property
    def deliveries(self) -> MemoryDeliveryRepository:
        return self._deliveries

    @property
    def activations(self) -> MemoryActivationRepository:
        return self._activations

    @property
    def reconciliation(self) -> MemoryReconciliationRepository:
        return self._reconciliation

    async def lock(self, key: str) -> None:
        pass  # units of work already run one at a time

    def after_commit(self, effect: Callable[[], None]) -> None:
        if effect not in self._effects:
            self._effects.append(effect)

    async def __aenter__(self) -> Self:
        if not self._store.available:
            raise StorageUnavailable("memory store switched off")
        await self._store.lock.acquire()
        self._snapshot = None if self._autocommit else self._store.snapshot()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._snapshot is not None:
            self._store.restore(self._snapshot)
        self._store.lock.release()

    async def commit(self) -> None:
        if not self._store.available:
            raise StorageUnavailable("memory store switched off")
        if not self._autocommit:
            self._snapshot = self._store.snapshot()
        effects, self._effects = self._effects, []
        for effect in effects:
            effect()


class MemoryUnitOfWorkFactory:
    def __init__(self, store: MemoryStore | None = None, *, wakeup: Wakeup | None = None) -> None:
        self.store = store or MemoryStore()
        self._wakeup = wakeup

    def __call__(self, *, autocommit: bool = False) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store, autocommit, self._wakeup)


def _conforms(factory: MemoryUnitOfWorkFactory) -> UnitOfWorkFactory:
    return factory  # mypy --strict holds the memory adapter to the port here
