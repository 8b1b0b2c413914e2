"""How a license's status may change, and the history row each change leaves."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from core.domain.errors import DomainError
from core.domain.model import ActorType, HistoryEntry, License, LicenseStatus

ACTIVE, SUSPENDED, REVOKED = LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED, LicenseStatus.REVOKED

REFUND = "refund"
DISPUTE = "dispute"
DISPUTE_WON = "dispute won"
SUBSCRIPTION_ENDED = "subscription ended"
SUBSCRIPTION_RESTARTED = "subscription restarted"

ALLOWED = {
    (ACTIVE, SUSPENDED),
    (ACTIVE, REVOKED),
    (SUSPENDED, ACTIVE),
    (SUSPENDED, REVOKED),
    (REVOKED, ACTIVE),
}


class IllegalTransition(DomainError):
    code = "illegal_transition"


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    type: ActorType
    id: str | None

    @classmethod
    def event(cls, event_id: str) -> Actor:
        return cls(type=ActorType.EVENT, id=event_id)

    @classmethod
    def admin(cls, name: str) -> Actor:
        return cls(type=ActorType.ADMIN, id=name)


@dataclass(frozen=True, slots=True)
class Change:
    license: License
    entry: HistoryEntry


def change(lic: License, to: LicenseStatus, reason: str, actor: Actor, now: datetime) -> Change:
    """The license in its new status and the history row; IllegalTransition when the
    move is not allowed (including to the status it already has)."""
    if (lic.status, to) not in ALLOWED:
        raise IllegalTransition(f"license {lic.id} is {lic.status.value}; it cannot become {to.value}")
    changed = replace(lic, status=to, status_reason=None if to is ACTIVE else reason, updated_at=now)
    entry = HistoryEntry(
        license_id=lic.id, at=now, from_status=lic.status, to_status=to, reason=reason,
        actor_type=actor.type, actor_id=actor.id,
    )
    return Change(changed, entry)


def effect_of(kind: str, lic: License, *, refunded: bool = True) -> tuple[LicenseStatus, str] | None:
    """What a platform event does to a license: (new status, reason), or None when it
    changes nothing. A won dispute lifts only a dispute's suspension; a restarted
    subscription lifts only an ended subscription's revocation."""
    if kind == "refund":
        return (REVOKED, REFUND) if refunded and lic.status is not REVOKED else None
    if kind == "dispute":
        return (SUSPENDED, DISPUTE) if lic.status is ACTIVE else None
    if kind == "dispute_won":
        return (ACTIVE, DISPUTE_WON) if lic.status is SUSPENDED and lic.status_reason == DISPUTE else None
    if kind == "subscription_ended":
        return (REVOKED, SUBSCRIPTION_ENDED) if lic.status is not REVOKED else None
    if kind == "subscription_restarted":
        restartable = lic.status is REVOKED and lic.status_reason == SUBSCRIPTION_ENDED
        return (ACTIVE, SUBSCRIPTION_RESTARTED) if restartable else None
    return None
