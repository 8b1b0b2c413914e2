"""RetryPendingConfirmations: ask the platform again about sales waiting for confirmation.

Rules:
- Every event pending confirmation whose wait is over is processed again (ProcessEvent,
  which asks the platform first): it mints, fails as unconfirmed, or waits again.
- The wait doubles with each attempt, from BASE to CAP: a long outage is not hammered,
  and nothing waiting is ever given up on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.domain.model import Event, EventStatus
from core.domain.queries import EventFilter, PageRequest
from core.usecases.process_event import ProcessEvent, ProcessEventCommand
from ports.clock import Clock
from ports.unit_of_work import UnitOfWorkFactory

BASE = timedelta(seconds=30)
CAP = timedelta(minutes=30)


def wait_after(attempts: int) -> timedelta:
    wait: timedelta = BASE * 2 ** max(attempts - 1, 0)
    return min(CAP, wait)


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryConfirmationsCommand:
    limit: int = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryConfirmationsReport:
    retried: int
    confirmed: int
    still_pending: int


class RetryPendingConfirmations:
    def __init__(self, *, uow: UnitOfWorkFactory, process: ProcessEvent, clock: Clock) -> None:
        self._uow = uow
        self._process = process
        self._clock = clock

    async def __call__(self, cmd: RetryConfirmationsCommand) -> RetryConfirmationsReport:
        now = self._clock.now()
        due: list[Event] = []
        async with self._uow() as uow:
            page = PageRequest(limit=200)
            while len(due) < cmd.limit:
                batch = await uow.events.search(EventFilter(status=EventStatus.PENDING_CONFIRMATION), page)
                due += [e for e in batch.items
                        if (e.processed_at or e.received_at) + wait_after(e.attempts) <= now]
                if batch.next is None:
                    break
                page = PageRequest(after=batch.next, limit=200)
        confirmed = still = 0
        for event in sorted(due, key=lambda e: (e.received_at, e.id))[: cmd.limit]:
            done = await self._process(ProcessEventCommand(event_id=event.id))
            if done.status is EventStatus.PENDING_CONFIRMATION:
                still += 1
            elif done.status is EventStatus.PROCESSED:
                confirmed += 1
        return RetryConfirmationsReport(retried=min(len(due), cmd.limit), confirmed=confirmed, still_pending=still)
