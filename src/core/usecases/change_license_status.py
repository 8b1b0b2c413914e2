"""ChangeLicenseStatus: an admin revokes, suspends or reinstates a license, with a reason.

Rules:
- Only allowed moves (see core.domain.lifecycle): revoking a revoked license is an
  IllegalTransition naming the current status, not a silent success.
- A reason is required; the admin is the history row's actor.
- A license reinstated before any email went out gets its first email.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.errors import InvalidInput, NotFound
from core.domain.lifecycle import Actor, change
from core.domain.model import License, LicenseStatus
from core.usecases.outbox import queue_license_email
from ports.clock import Clock, IdGenerator
from ports.unit_of_work import UnitOfWorkFactory
from ports.wakeup import Wakeup

ACTIONS = {"revoke": LicenseStatus.REVOKED, "suspend": LicenseStatus.SUSPENDED, "reinstate": LicenseStatus.ACTIVE}


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeLicenseStatusCommand:
    license_id: str
    action: str
    reason: str
    admin: str


class ChangeLicenseStatus:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, wakeup: Wakeup) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._wakeup = wakeup

    async def __call__(self, cmd: ChangeLicenseStatusCommand) -> License:
        if cmd.action not in ACTIONS:
            raise InvalidInput("action", f"{cmd.action!r} is not one of {', '.join(ACTIONS)}")
        reason = cmd.reason.strip()
        if not reason:
            raise InvalidInput("reason", "required")
        if len(reason) > 500:
            raise InvalidInput("reason", "at most 500 characters")
        wake = False
        async with self._uow() as uow:
            lic = await uow.licenses.get(cmd.license_id)
            if lic is None:
                raise NotFound(f"no license {cmd.license_id}")
            await uow.licenses.lock_order(lic.source, lic.order_id)
            now = self._clock.now()
            moved = change(lic, ACTIONS[cmd.action], reason, Actor.admin(cmd.admin), now)
            await uow.licenses.update(moved.license)
            await uow.history.add(moved.entry)
            if moved.license.status is LicenseStatus.ACTIVE and not await uow.deliveries.for_license(lic.id):
                await queue_license_email(uow, moved.license, ids=self._ids, now=now)
                wake = True
            await uow.commit()
        if wake:
            self._wakeup.notify()
        return moved.license
