"""RecordEvent: keep a webhook body exactly as it arrived.

Rules:
- Nothing else happens to a body before it is stored and committed.
- The body is kept byte for byte, with its content type and the time it arrived.
- When the store cannot take it, the caller hears StorageUnavailable (and answers 503).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.model import Event
from ports.clock import Clock, IdGenerator
from ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordEventCommand:
    source: str
    body: bytes
    content_type: str


class RecordEvent:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def __call__(self, cmd: RecordEventCommand) -> Event:
        event = Event(
            id=self._ids.new_id("evt"),
            source=cmd.source,
            body=cmd.body,
            content_type=cmd.content_type,
            received_at=self._clock.now(),
        )
        async with self._uow(autocommit=True) as uow:  # one write: durable when it returns
            await uow.events.add(event)
            await uow.commit()
        return event
