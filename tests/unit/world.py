"""The production container with the outside world overridden: a fixed clock, counting ids,
a recording mailer, and memory adapters (or a real database when a URL is given)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dependency_injector import providers

from adapters.memory.unit_of_work import MemoryStore, MemoryUnitOfWorkFactory
from core.domain.model import Delivery, Event, EventStatus, License
from core.domain.queries import DeliveryFilter, EventFilter, LicenseFilter, PageRequest
from core.usecases.deliver_pending import DeliverPendingCommand
from core.usecases.process_event import ProcessEventCommand
from core.usecases.record_event import RecordEventCommand
from entrypoints.container import Container
from entrypoints.settings import load_settings
from tests.fakes import CountingIds, CountingWakeup, FixedClock, RecordingMailer

ROOT = Path(__file__).parents[2]
FORM = "application/x-www-form-urlencoded"
_LOADED: dict[tuple[str, str], tuple[Any, Any]] = {}


class World:
    def __init__(self, database_url: str | None = None, *, catalog: Any = None, **env: str) -> None:
        settings = load_settings({
            "APP_ENV": "test",
            "DATABASE_URL": database_url or "sqlite+aiosqlite:///never-opened.db",
            "GUMROAD_WEBHOOK_SECRETS": "world-secret-0123456789abcdef",
            "MAIL_DIR": "/nonexistent/world-mail",
            **env,
        })
        self.container = c = Container(settings=settings)
        self.clock = FixedClock()
        self.ids = CountingIds()
        self.wakeup = CountingWakeup()
        self.mailer = RecordingMailer()
        self.rand = 0.5
        c.clock.override(self.clock)
        c.ids.override(self.ids)
        c.wakeup.override(self.wakeup)
        c.mailer.override(self.mailer)
        c.rand.override(providers.Object(lambda: self.rand))
        # Reading the catalog and the signing key once per file keeps a world cheap enough
        # to build per Hypothesis example; both are immutable.
        loaded = (str(settings.products_file), settings.signing_key)
        if loaded not in _LOADED:
            _LOADED[loaded] = (c.catalog(), c.signer())
        c.catalog.override(providers.Object(_LOADED[loaded][0]))
        c.signer.override(providers.Object(_LOADED[loaded][1]))
        if catalog is not None:
            c.catalog.override(providers.Object(catalog))
        if database_url is None:
            c.uow.override(MemoryUnitOfWorkFactory(wakeup=self.wakeup))
        self.uow = c.uow()
        self.catalog = c.catalog()
        self.signer = c.signer()
        self.record = c.record_event()
        self.process = c.process_event()
        self.deliver = c.deliver_pending()

    async def close(self) -> None:
        if hasattr(self.uow, "dispose"):
            self.uow.dispose()
            await self.container.engine().dispose()

    @property
    def store(self) -> MemoryStore:
        assert isinstance(self.uow, MemoryUnitOfWorkFactory), "store: memory worlds only"
        return self.uow.store

    async def receive(self, body: bytes, content_type: str = FORM) -> Event:
        event = await self.record(RecordEventCommand(source="gumroad", body=body, content_type=content_type))
        return await self.process(ProcessEventCommand(event_id=event.id))

    async def deliver_due(self, worker: str = "w1") -> Any:
        return await self.deliver(DeliverPendingCommand(worker_id=worker))

    def licenses(self) -> list[License]:
        return list(self.store.licenses.values())

    def deliveries(self) -> list[Delivery]:
        return list(self.store.deliveries.values())

    def failed_events(self) -> list[Event]:
        return [e for e in self.store.events.values() if e.status is EventStatus.FAILED]

    async def all_licenses(self) -> list[License]:
        """Every license, on any engine."""
        async with self.uow() as uow:
            return list((await uow.licenses.search(LicenseFilter(), PageRequest(limit=200))).items)

    async def all_deliveries(self) -> list[Delivery]:
        async with self.uow() as uow:
            return list((await uow.deliveries.search(DeliveryFilter(), PageRequest(limit=200))).items)

    async def all_events(self) -> list[Event]:
        async with self.uow() as uow:
            return list((await uow.events.search(EventFilter(), PageRequest(limit=200))).items)
