"""ChangeLicenseStatus: an admin revokes, suspends or reinstates a license, with a reason.

Rules:
- Only allowed moves (see core.domain.lifecycle): revoking a revoked license is an
  IllegalTransition naming the current status, not a silent success.
- A reason is required; the admin is the history row's actor.
- A license reinstated before any email went out gets its first email; an email still
  waiting when the license is suspended or revoked is withdrawn.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from core.domain.errors import InvalidInput, NotFound
from core.domain.model import Actor, License, LicenseStatus
from core.usecases.outbox import settle_outbox
from ports.clock import Clock, IdGenerator
from ports.unit_of_work import UnitOfWorkFactory


class StatusAction(str, enum.Enum):
    REVOKE = "revoke"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"

    @property
    def target(self) -> LicenseStatus:
        return {StatusAction.REVOKE: LicenseStatus.REVOKED, StatusAction.SUSPEND: LicenseStatus.SUSPENDED,
                StatusAction.REINSTATE: LicenseStatus.ACTIVE}[self]


ACTIONS = {a.value: a.target for a in StatusAction}


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeLicenseStatusCommand:
    license_id: str
    action: str
    reason: str
    admin: str


class ChangeLicenseStatus:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def __call__(self, cmd: ChangeLicenseStatusCommand) -> License:
        if cmd.action not in ACTIONS:
            raise InvalidInput("action", f"{cmd.action!r} is not one of {', '.join(ACTIONS)}")
        reason = cmd.reason.strip()
        if not reason:
            raise InvalidInput("reason", "required")
        if len(reason) > 500:
            raise InvalidInput("reason", "at most 500 characters")
        async with self._uow() as uow:
            lic = await uow.licenses.get(cmd.license_id)
            if lic is None:
                raise NotFound(f"no license {cmd.license_id}")
            await uow.lock(f"{lic.source}\0{lic.subscription_id or lic.order_id}")
            now = self._clock.now()
            moved, entry = lic.move(ACTIONS[cmd.action], reason, Actor.admin(cmd.admin), now)
            await uow.licenses.update(moved)
            await uow.history.add(entry)
            await settle_outbox(uow, moved, ids=self._ids, now=now)
            await uow.commit()
        return moved
