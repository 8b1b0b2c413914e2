"""ReplayEvent and ReplayFailedEvents: run stored events through processing again.

Rules:
- Replaying is ProcessEvent again: a processed event is left as it is, a failed one is
  processed anew (after, say, a catalog fix), and duplicates never mint twice.
- Replaying every failed event goes oldest-first through the failed events that exist
  when it starts, each once, and reports how many ended processed and how many still fail;
  running it twice changes nothing more than running it once.
- One event that cannot be processed (a value the store rejects) is reported as still
  failing and the replay goes on to the next.
- Events stuck as received (stored, but the database went away before processing could
  record anything) are replayed with the failed ones once they are five minutes old.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from core.domain.model import Event, EventStatus
from core.domain.queries import EventFilter, PageRequest
from core.usecases.process_event import ProcessEvent, ProcessEventCommand
from ports.clock import Clock
from ports.errors import DataRejected
from ports.unit_of_work import UnitOfWorkFactory

STUCK_AFTER = timedelta(minutes=5)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayEventCommand:
    event_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayFailedCommand:
    source: str | None = None
    progress: Callable[[int, int, Event], None] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaySummary:
    replayed: int
    processed: int
    still_failed: int
    failures: tuple[tuple[str, str], ...] = ()


class ReplayEvent:
    def __init__(self, *, process: ProcessEvent) -> None:
        self._process = process

    async def __call__(self, cmd: ReplayEventCommand) -> Event:
        return await self._process(ProcessEventCommand(event_id=cmd.event_id))


class ReplayFailedEvents:
    def __init__(self, *, uow: UnitOfWorkFactory, process: ProcessEvent, clock: Clock) -> None:
        self._uow = uow
        self._process = process
        self._clock = clock

    async def __call__(self, cmd: ReplayFailedCommand) -> ReplaySummary:
        stuck_before = self._clock.now() - STUCK_AFTER
        found: list[Event] = []
        async with self._uow() as uow:
            for status in (EventStatus.FAILED, EventStatus.RECEIVED):
                page = PageRequest(limit=200)
                while True:
                    batch = await uow.events.search(EventFilter(source=cmd.source, status=status), page)
                    found += [e for e in batch.items if status is EventStatus.FAILED or e.received_at < stuck_before]
                    if batch.next is None:
                        break
                    page = PageRequest(after=batch.next, limit=200)
        ids = [e.id for e in sorted(found, key=lambda e: (e.received_at, e.id))]  # oldest first
        processed, failures = 0, []
        for done, event_id in enumerate(ids, start=1):
            try:
                event = await self._process(ProcessEventCommand(event_id=event_id))
            except DataRejected as exc:
                failures.append((event_id, f"a value was rejected: {exc}"))
                continue
            if event.status is EventStatus.PROCESSED:
                processed += 1
            else:
                failures.append((event.id, event.outcome or ""))
            if cmd.progress:
                cmd.progress(done, len(ids), event)
        return ReplaySummary(
            replayed=len(ids), processed=processed, still_failed=len(failures), failures=tuple(failures)
        )
