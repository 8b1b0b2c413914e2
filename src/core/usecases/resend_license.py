"""ResendLicense: a buyer who lost the key gets every active license for the address again.

Rules:
- The caller learns nothing about whether the address is known (the HTTP answer is the
  same either way); the use case reports counts for logs and the admin only.
- Only active licenses are sent; a license that already has an email waiting is not
  queued twice.
- Addresses compare case-insensitively.
- An admin may resend one license by id: it must be active (else IllegalTransition naming
  its status); when its email is already waiting, nothing more is queued.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.errors import NotFound
from core.domain.model import Delivery, DeliveryStatus, IllegalTransition, License, LicenseStatus
from ports.clock import Clock, IdGenerator
from ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True, kw_only=True)
class ResendLicenseCommand:
    email: str | None = None
    license_id: str | None = None


class ResendLicense:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def __call__(self, cmd: ResendLicenseCommand) -> int:
        queued = 0
        async with self._uow() as uow:
            if cmd.license_id is not None:
                lic = await uow.licenses.get(cmd.license_id)
                if lic is None:
                    raise NotFound(f"no license {cmd.license_id}")
                if lic.status is not LicenseStatus.ACTIVE:
                    raise IllegalTransition(f"license {lic.id} is {lic.status.value}; only an active license is sent")
                candidates: Sequence[License] = [lic]
            else:
                candidates = await uow.licenses.for_email(cmd.email or "")
            for lic in candidates:
                if lic.status is not LicenseStatus.ACTIVE:
                    continue
                waiting = [d for d in await uow.deliveries.for_license(lic.id) if d.status is DeliveryStatus.PENDING]
                if waiting:
                    continue
                await uow.deliveries.add(Delivery.queue(id=self._ids.new_id("dlv"), license=lic, now=self._clock.now()))
                queued += 1
            await uow.commit()
        return queued
