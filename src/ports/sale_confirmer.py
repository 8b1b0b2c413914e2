"""Asking the payment platform whether a sale ping describes a sale it really made."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from core.domain.notices import SaleNotice


class Verdict(str, enum.Enum):
    CONFIRMED = "confirmed"
    UNKNOWN = "unknown"
    """The platform does not know this sale, or knows it differently: never mint it."""
    UNREACHABLE = "unreachable"
    """The platform could not be asked: the sale waits and is asked about again later."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Confirmation:
    verdict: Verdict
    reason: str = ""


class SaleConfirmer(Protocol):
    async def confirm(self, source: str, sale: SaleNotice) -> Confirmation:
        """Whether the platform made this sale, for this product, buyer and price. Never
        raises for the platform's failures: those are UNREACHABLE."""
