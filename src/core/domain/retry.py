"""When to try a failed email again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Exponential backoff with "equal jitter": half the delay is fixed, half is random,
    so a crowd of deliveries that failed together does not come back together."""

    # 10 s doubling to a 10-minute cap: a provider back after an outage gets its queue
    # within ten minutes; 20 attempts span about two and a half hours before giving up.
    max_attempts: int = 20
    base_seconds: float = 10.0
    cap_seconds: float = 600.0

    def delay(self, attempt: int, rand: float) -> timedelta:
        """Delay after the `attempt`-th failed attempt (1-based); `rand` is in [0, 1)."""
        full = min(self.cap_seconds, self.base_seconds * 2 ** max(attempt - 1, 0))
        return timedelta(seconds=full / 2 + full / 2 * rand)

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts
