"""Waking the delivery worker when there is new work, so it need not wait for its poll."""

from __future__ import annotations

from typing import Protocol


class Wakeup(Protocol):
    def notify(self) -> None:
        """Safe to call any number of times; the worker may be in another process, where
        this does nothing and the worker's poll finds the work instead."""
