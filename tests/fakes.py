"""Small test doubles for ports with no memory adapter of their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from ports.mailer import Email, SendOutcome, SendResult


class FixedClock:
    def __init__(self, start: datetime = datetime(2026, 3, 14, 16, 2, 11, tzinfo=UTC)) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **kwargs) -> None:
        self.current += timedelta(**kwargs)


class CountingIds:
    def __init__(self) -> None:
        self._n = count(1)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._n):04d}"


class CountingWakeup:
    def __init__(self) -> None:
        self.calls = 0

    def notify(self) -> None:
        self.calls += 1


class RecordingMailer:
    """Accepts every email and keeps it; `script` makes the next sends answer otherwise."""

    def __init__(self, script: list[SendResult] | None = None) -> None:
        self.sent: list[Email] = []
        self.script = list(script or [])

    def describe(self) -> str:
        return "recording (tests)"

    async def close(self) -> None:
        pass

    async def send(self, email: Email) -> SendResult:
        if self.script:
            return self.script.pop(0)
        self.sent.append(email)
        return SendResult(outcome=SendOutcome.SENT, message_id=f"msg-{len(self.sent)}")
