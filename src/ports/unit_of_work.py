"""The transaction boundary and the repositories that hang off it.

A unit of work is used as `async with uow: ...; await uow.commit()`. Writes made through
its repositories are visible to other units of work only after `commit()`; leaving the
block without committing rolls them back. A unit of work is used once. What must happen
only once the writes are durable (waking the delivery worker for a queued email) is
collected with `after_commit` and run by `commit()` after it succeeds; a unit that rolls
back runs none of it. Adapters raise
`ports.errors.StorageUnavailable` when the store cannot be reached and
`ports.errors.AlreadyExists` when a unique rule refuses a write (from the write itself or
from `commit()`); after either, the unit of work is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol, Self

from core.domain.activation import Activation, ActivationRecord
from core.domain.model import Delivery, DeliveryAttempt, Event, HistoryEntry, License
from core.domain.queries import DeliveryFilter, EventFilter, LicenseFilter, Page, PageRequest
from core.domain.sales import ReconcilePoint


class EventRepository(Protocol):
    async def add(self, event: Event) -> None: ...

    async def get(self, event_id: str) -> Event | None: ...

    async def update(self, event: Event) -> None:
        """Saves what processing found: kind, external id, status, outcome, attempts."""

    async def for_external_id(self, source: str, external_id: str) -> Sequence[Event]:
        """Every event processing tied to this order or subscription, oldest first."""

    async def search(self, where: EventFilter, page: PageRequest) -> Page[Event]:
        """Matching events, newest received first; `page.after` continues a listing."""


class LicenseRepository(Protocol):
    async def add(self, license: License) -> None:
        """Raises AlreadyExists when a license for (source, order_id) exists."""

    async def get(self, license_id: str) -> License | None: ...

    async def get_by_order(self, source: str, order_id: str) -> License | None: ...

    async def get_by_subscription(self, source: str, subscription_id: str) -> License | None: ...

    async def for_email(self, email: str) -> Sequence[License]:
        """Licenses bought with this address (compared case-insensitively), oldest first."""

    async def search(self, where: LicenseFilter, page: PageRequest) -> Page[License]:
        """Matching licenses, newest first; emails compare case-insensitively; the created
        range includes `created_from` and excludes `created_to`."""

    async def update(self, license: License) -> None: ...


class HistoryRepository(Protocol):
    async def add(self, entry: HistoryEntry) -> None: ...

    async def for_license(self, license_id: str) -> Sequence[HistoryEntry]:
        """Oldest first."""


class DeliveryRepository(Protocol):
    async def add(self, delivery: Delivery) -> None:
        """Queues the email; the unit wakes the delivery worker once it commits."""

    async def get(self, delivery_id: str) -> Delivery | None: ...

    async def for_license(self, license_id: str) -> Sequence[Delivery]:
        """Oldest first."""

    async def search(self, where: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        """Matching deliveries, newest first."""

    async def claim_due(
        self, *, now: datetime, lease_until: datetime, worker_id: str, limit: int
    ) -> Sequence[Delivery]:
        """Claims up to `limit` pending deliveries that are due and not leased by a live
        claim (no lease, or a lease that ended before `now`), oldest due first. Claimed rows
        get `lease_until`, `worker_id` and one more attempt. Two units of work never claim
        the same delivery while a lease lasts."""

    async def update(self, delivery: Delivery, *, claimed_by: str | None = None) -> bool:
        """Saves the delivery. With `claimed_by`, saves only while that worker still holds
        the claim, and answers whether it did."""

    async def add_attempt(self, attempt: DeliveryAttempt) -> None: ...

    async def attempts(self, delivery_id: str) -> Sequence[DeliveryAttempt]:
        """Oldest first."""


class ActivationRepository(Protocol):
    async def lock_license(self, license_id: str) -> None:
        """Makes other units of work that lock the same license wait until this one ends
        (and that change the license row), so seats are counted and taken one at a time;
        reads after it see the license as last committed."""

    async def add(self, activation: Activation) -> None:
        """Raises AlreadyExists when the license already has this machine."""

    async def get(self, activation_id: str) -> Activation | None: ...

    async def for_machine(self, license_id: str, machine: str) -> Activation | None: ...

    async def for_license(self, license_id: str) -> Sequence[Activation]:
        """The license's machines, oldest activation first."""

    async def update(self, activation: Activation) -> None: ...

    async def remove(self, activation_id: str) -> bool:
        """Frees the seat; answers whether there was such an activation."""

    async def add_record(self, record: ActivationRecord) -> None: ...

    async def records(self, license_id: str) -> Sequence[ActivationRecord]:
        """The license's activation history, oldest first."""


class ReconciliationRepository(Protocol):
    async def get(self, source: str) -> ReconcilePoint | None: ...

    async def save(self, point: ReconcilePoint) -> None:
        """Creates or replaces the source's point."""


class UnitOfWork(Protocol):
    @property
    def events(self) -> EventRepository: ...

    @property
    def licenses(self) -> LicenseRepository: ...

    @property
    def history(self) -> HistoryRepository: ...

    @property
    def deliveries(self) -> DeliveryRepository: ...

    @property
    def activations(self) -> ActivationRepository: ...

    @property
    def reconciliation(self) -> ReconciliationRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None:
        """Makes the writes durable, then runs what `after_commit` collected, in order."""

    async def lock(self, key: str) -> None:
        """Makes other units of work that lock the same key wait until this one ends, so
        events about one order or subscription are applied one at a time."""

    def after_commit(self, effect: Callable[[], None]) -> None:
        """Runs `effect` once this unit has committed; never if it rolls back."""


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, autocommit: bool = False) -> UnitOfWork:
        """A new unit of work. With `autocommit`, each statement is committed on its own and
        `commit()` does nothing: for a unit that makes exactly one read or one write, where a
        transaction would only add round trips to the database."""
