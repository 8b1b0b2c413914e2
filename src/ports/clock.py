"""Time and identifiers, so the core never reads the wall clock or a random source."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""


class IdGenerator(Protocol):
    def new_id(self, prefix: str) -> str:
        """A fresh, unguessable identifier such as `lic_3k9...`."""
