"""The use cases wired to memory adapters and simple fakes, for tests in domain terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from adapters.catalog.yaml_catalog import YamlCatalog
from adapters.gumroad.parser import GumroadParser
from adapters.mail.rendering import JinjaEmailRenderer
from adapters.memory.unit_of_work import MemoryUnitOfWorkFactory
from adapters.signing.ed25519 import Ed25519Signer, load_private_key
from core.domain.model import EventStatus
from core.usecases.apply_lifecycle import ApplyLifecycle
from core.usecases.deliver_pending import DeliverPending, DeliverPendingCommand
from core.usecases.mint_from_sale import MintFromSale
from core.usecases.process_event import ProcessEvent, ProcessEventCommand
from core.usecases.record_event import RecordEvent, RecordEventCommand
from entrypoints.settings import DEV_SIGNING_KEY
from tests.fakes import CountingIds, CountingWakeup, FixedClock, RecordingMailer

ROOT = Path(__file__).parents[2]
FORM = "application/x-www-form-urlencoded"


@dataclass
class World:
    uow: MemoryUnitOfWorkFactory = field(default_factory=MemoryUnitOfWorkFactory)
    clock: FixedClock = field(default_factory=FixedClock)
    ids: CountingIds = field(default_factory=CountingIds)
    wakeup: CountingWakeup = field(default_factory=CountingWakeup)
    mailer: RecordingMailer = field(default_factory=RecordingMailer)
    catalog: YamlCatalog = field(default_factory=lambda: YamlCatalog.load(ROOT / "config/products.yaml"))
    signer: Ed25519Signer = field(default_factory=lambda: Ed25519Signer(load_private_key(str(DEV_SIGNING_KEY), "dev")))
    rand: float = 0.5

    def __post_init__(self) -> None:
        self.record = RecordEvent(uow=self.uow, clock=self.clock, ids=self.ids)
        self.mint = MintFromSale(
            uow=self.uow, catalog=self.catalog, signer=self.signer, clock=self.clock,
            ids=self.ids, wakeup=self.wakeup,
        )
        self.lifecycle = ApplyLifecycle(
            uow=self.uow, catalog=self.catalog, signer=self.signer, clock=self.clock,
            ids=self.ids, wakeup=self.wakeup,
        )
        self.process = ProcessEvent(
            uow=self.uow, parsers={"gumroad": GumroadParser()}, catalog=self.catalog,
            mint=self.mint, lifecycle=self.lifecycle, clock=self.clock,
        )
        self.deliver = DeliverPending(
            uow=self.uow, mailer=self.mailer, renderer=JinjaEmailRenderer(ROOT / "config/templates"),
            catalog=self.catalog, clock=self.clock, rand=lambda: self.rand,
        )

    @property
    def store(self):
        return self.uow.store

    async def receive(self, body: bytes, content_type: str = FORM):
        event = await self.record(RecordEventCommand(source="gumroad", body=body, content_type=content_type))
        return await self.process(ProcessEventCommand(event_id=event.id))

    async def deliver_due(self, worker: str = "w1"):
        return await self.deliver(DeliverPendingCommand(worker_id=worker))

    def licenses(self):
        return list(self.store.licenses.values())

    def deliveries(self):
        return list(self.store.deliveries.values())

    def failed_events(self):
        return [e for e in self.store.events.values() if e.status is EventStatus.FAILED]
