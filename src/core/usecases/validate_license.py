"""ValidateLicense: the online check of a key, agreeing with the offline verifier.

Rules:
- The signature decides first, exactly as offline: MALFORMED, BAD_SIGNATURE (an unknown
  key id included) or EXPIRED come from the key alone.
- A well-signed key for a license this server does not hold is UNKNOWN.
- A key that is no longer the license's current key (a tier change re-keyed it) is REVOKED.
- Otherwise the license's status answers: REVOKED, SUSPENDED, EXPIRED (past `expires_at`)
  or VALID.
- The answer carries the license's public facts, never the buyer's email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.domain.model import License, LicenseStatus
from ports.clock import Clock
from ports.signer import KeyVerifier
from ports.unit_of_work import UnitOfWorkFactory

MAX_KEY_LENGTH = 4096


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidateLicenseCommand:
    key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenseFacts:
    license_id: str
    product: str
    tier: str
    seats: int
    status: str
    expires_at: datetime | None
    test: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Validation:
    code: str
    reason: str
    facts: LicenseFacts | None = None

    @property
    def valid(self) -> bool:
        return self.code == "VALID"


class ValidateLicense:
    def __init__(self, *, uow: UnitOfWorkFactory, verifier: KeyVerifier, clock: Clock) -> None:
        self._uow = uow
        self._verifier = verifier
        self._clock = clock

    async def __call__(self, cmd: ValidateLicenseCommand) -> Validation:
        now = self._clock.now()
        key = cmd.key.strip()
        if len(key) > MAX_KEY_LENGTH:
            return Validation(code="MALFORMED", reason="malformed: too long")
        check = self._verifier.check(key, now=now.timestamp())
        if check.code in ("MALFORMED", "BAD_SIGNATURE"):
            return Validation(code=check.code, reason=check.reason)
        async with self._uow(autocommit=True) as uow:  # one read
            lic = await uow.licenses.get(check.claims["lid"])
        if check.code == "EXPIRED":  # as offline, whatever became of the license since
            return Validation(code="EXPIRED", reason="expired", facts=_facts(lic) if lic else None)
        if lic is None:
            return Validation(code="UNKNOWN", reason="well signed, but no such license here")
        facts = _facts(lic)
        if lic.key != key:
            return Validation(code="REVOKED", reason="superseded by a newer key for this license", facts=facts)
        if lic.status is LicenseStatus.REVOKED:
            return Validation(code="REVOKED", reason=lic.status_reason or "revoked", facts=facts)
        if lic.status is LicenseStatus.SUSPENDED:
            return Validation(code="SUSPENDED", reason=lic.status_reason or "suspended", facts=facts)
        if lic.expires_at is not None and lic.expires_at <= now:
            return Validation(code="EXPIRED", reason="expired", facts=facts)
        return Validation(code="VALID", reason="ok", facts=facts)


def _facts(lic: License) -> LicenseFacts:
    return LicenseFacts(
        license_id=lic.id, product=lic.product, tier=lic.tier, seats=lic.seats,
        status=lic.status.value, expires_at=lic.expires_at, test=lic.test,
    )
