"""ReplayEvent and ReplayFailedEvents: run stored events through processing again.

Rules:
- Replaying is ProcessEvent again: a processed event is left as it is, a failed one is
  processed anew (after, say, a catalog fix), and duplicates never mint twice.
- Replaying every failed event goes oldest-first through the failed events that exist
  when it starts, each once, and reports how many ended processed and how many still fail;
  running it twice changes nothing more than running it once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.domain.model import Event, EventStatus
from core.domain.queries import EventFilter, PageRequest
from core.usecases.process_event import ProcessEvent, ProcessEventCommand
from ports.unit_of_work import UnitOfWorkFactory


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
    def __init__(self, *, uow: UnitOfWorkFactory, process: ProcessEvent) -> None:
        self._uow = uow
        self._process = process

    async def __call__(self, cmd: ReplayFailedCommand) -> ReplaySummary:
        ids: list[str] = []
        page = PageRequest(limit=200)
        async with self._uow() as uow:
            while True:
                found = await uow.events.search(EventFilter(source=cmd.source, status="failed"), page)
                ids += [e.id for e in found.items]
                if found.next is None:
                    break
                page = PageRequest(after=found.next, limit=200)
        ids.reverse()  # oldest first, as they arrived
        processed, failures = 0, []
        for done, event_id in enumerate(ids, start=1):
            event = await self._process(ProcessEventCommand(event_id=event_id))
            if event.status is EventStatus.PROCESSED:
                processed += 1
            else:
                failures.append((event.id, event.outcome or ""))
            if cmd.progress:
                cmd.progress(done, len(ids), event)
        return ReplaySummary(
            replayed=len(ids), processed=processed, still_failed=len(failures), failures=tuple(failures)
        )
