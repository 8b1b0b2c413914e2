"""A license's standing, folded from every event known for its order or subscription.

The platform's events arrive in any order, repeated, and replayed. The standing does not
depend on that order: the facts are sorted by their own times (`sale_timestamp`,
`ended_at`, `restarted_at`, `effective_as_of`), then, where the times tie, by what their
flags imply (a sale comes before its dispute, a dispute before its win, a won dispute
before a refund), and only then by arrival. Flags of one charge only ever accumulate (a
`dispute_won` ping has `disputed=true` too), so a copy of an older ping changes nothing.

The rules, for one-time sales and memberships alike:
- any fully refunded charge revokes (reason `refund`); a refund is never undone;
- else any disputed charge whose dispute is not won suspends (reason `dispute`);
- else a membership whose latest end/restart is an end is revoked (`subscription ended`);
- else the license is active.
The tier is the earliest charge's, changed by plan updates in time order; seats are the
tier's seats times the earliest charge's quantity. The key generation counts the terms
(tier, seats) the license has had: 1, and one more at each change.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.domain.catalog import Tier
from core.domain.model import Actor, IllegalTransition, LicenseStatus
from core.domain.notices import NoticeKind

__all__ = ["Actor", "IllegalTransition", "Fact", "Standing", "Step", "Reason", "replay"]

ACTIVE, SUSPENDED, REVOKED = LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED, LicenseStatus.REVOKED


class Reason(str, enum.Enum):
    """Why a license is not active, or what made it active again."""

    REFUND = "refund"
    DISPUTE = "dispute"
    DISPUTE_WON = "dispute won"
    SUBSCRIPTION_ENDED = "subscription ended"
    SUBSCRIPTION_RESTARTED = "subscription restarted"
    MINTED = "minted from sale"


CHARGE_KINDS = (NoticeKind.SALE,)
SALE_SHAPED = (NoticeKind.SALE, NoticeKind.REFUND, NoticeKind.DISPUTE, NoticeKind.DISPUTE_WON)


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact:
    """One processed event, as far as a license's standing is concerned."""

    event_id: str
    kind: NoticeKind
    at: datetime | None
    """The event's own time; None when the platform gave none."""
    arrived: datetime
    sale_id: str | None = None
    refunded: bool = False
    disputed: bool = False
    dispute_won: bool = False
    tier: Tier | None = None
    """The tier a charge or plan change lands on, as the catalog maps it now."""
    quantity: int = 1
    price_cents: int | None = None
    currency: str | None = None
    paid_until: datetime | None = None
    """For a membership charge: the end of the period it paid for."""

    @property
    def rank(self) -> int:
        """What the flags imply when two facts carry the same time."""
        if self.kind is NoticeKind.REFUND:
            return 4 if self.refunded else 1
        return _RANK.get(self.kind, 5)

    def order(self) -> tuple[datetime, int, datetime, str]:
        return (self.at or self.arrived, self.rank, self.arrived, self.event_id)


_RANK = {
    NoticeKind.SALE: 0,
    NoticeKind.DISPUTE: 2,
    NoticeKind.DISPUTE_WON: 3,
    NoticeKind.CANCELLATION: 5,
    NoticeKind.SUBSCRIPTION_UPDATED: 5,
    NoticeKind.SUBSCRIPTION_ENDED: 6,
    NoticeKind.SUBSCRIPTION_RESTARTED: 7,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Standing:
    status: LicenseStatus
    reason: Reason | None
    tier: Tier
    quantity: int
    generation: int
    price_cents: int | None
    currency: str | None
    paid_until: datetime | None = None
    """For a membership: the end of the period its latest charge paid for."""

    @property
    def seats(self) -> int:
        return self.tier.seats * self.quantity

    @property
    def terms(self) -> tuple[str, int]:
        """What the key says beyond who holds it: a change means a new key."""
        return (self.tier.key, self.seats)


@dataclass(frozen=True, slots=True)
class Step:
    """The standing after `fact` changed it."""

    fact: Fact
    standing: Standing


@dataclass(slots=True)
class _Charge:
    refunded: bool = False
    disputed: bool = False
    won: bool = False


@dataclass(slots=True)
class _Fold:
    charges: dict[str, _Charge] = field(default_factory=dict)
    ended: bool = False
    tier: Tier | None = None
    first_charge: Fact | None = None
    paid_until: datetime | None = None
    generation: int = 0
    current: Standing | None = None

    def take(self, fact: Fact) -> None:
        if fact.kind in CHARGE_KINDS and fact.paid_until is not None:
            self.paid_until = max(self.paid_until or fact.paid_until, fact.paid_until)
        if fact.kind in SALE_SHAPED and fact.sale_id is not None:
            charge = self.charges.setdefault(fact.sale_id, _Charge())
            charge.refunded |= fact.refunded and fact.kind in (NoticeKind.REFUND, NoticeKind.SALE)
            charge.disputed |= fact.disputed or fact.kind in (NoticeKind.DISPUTE, NoticeKind.DISPUTE_WON)
            charge.won |= fact.dispute_won or fact.kind is NoticeKind.DISPUTE_WON
        if fact.kind in CHARGE_KINDS and self.first_charge is None and fact.tier is not None:
            self.first_charge = fact
            self.tier = self.tier or fact.tier
        elif fact.kind is NoticeKind.SUBSCRIPTION_UPDATED and fact.tier is not None:
            self.tier = fact.tier
        elif fact.kind is NoticeKind.SUBSCRIPTION_ENDED:
            self.ended = True
        elif fact.kind is NoticeKind.SUBSCRIPTION_RESTARTED:
            self.ended = False

    def standing(self) -> Standing | None:
        first = self.first_charge
        if first is None or self.tier is None:
            return None
        status, reason = self._status()
        if self.current is None or self.current.terms != (self.tier.key, self.tier.seats * first.quantity):
            self.generation += 1
        return Standing(status=status, reason=reason, tier=self.tier, quantity=first.quantity,
                        generation=self.generation, price_cents=first.price_cents, currency=first.currency,
                        paid_until=self.paid_until)

    def _status(self) -> tuple[LicenseStatus, Reason | None]:
        charges = self.charges.values()
        if any(c.refunded for c in charges):
            return REVOKED, Reason.REFUND
        if any(c.disputed and not c.won for c in charges):
            return SUSPENDED, Reason.DISPUTE
        if self.ended:
            return REVOKED, Reason.SUBSCRIPTION_ENDED
        return ACTIVE, None


def replay(facts: Iterable[Fact]) -> list[Step]:
    """The standings the facts lead to, in time order, one per fact that changed it; the
    first step is the license's birth (its earliest mapped charge). Empty while no charge
    is known. A fact repeated (same event id) counts once."""
    unique = {f.event_id: f for f in facts}
    fold = _Fold()
    steps: list[Step] = []
    for fact in sorted(unique.values(), key=Fact.order):
        fold.take(fact)
        new = fold.standing()
        if new is not None and new != fold.current:
            steps.append(Step(fact, new))
            fold.current = new
    return steps


def final(steps: Sequence[Step]) -> Standing | None:
    return steps[-1].standing if steps else None


def reinstated_by(kind: NoticeKind) -> str:
    """The history reason for a license that becomes active again because of `kind`."""
    if kind is NoticeKind.DISPUTE_WON:
        return Reason.DISPUTE_WON.value
    if kind is NoticeKind.SUBSCRIPTION_RESTARTED:
        return Reason.SUBSCRIPTION_RESTARTED.value
    return f"{kind.value} recomputed"
