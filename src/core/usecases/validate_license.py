"""ValidateLicense: the online check of a key, agreeing with the offline verifier.

Rules:
- The signature decides first, exactly as offline: MALFORMED, BAD_SIGNATURE (an unknown
  key id included) or EXPIRED come from the key alone.
- A well-signed key for a license this server does not hold is UNKNOWN.
- A key that is no longer the license's current key (a tier change re-keyed it) is REVOKED.
- Otherwise the license's status answers: REVOKED, SUSPENDED, EXPIRED (past `expires_at`)
  or VALID.
- The answer carries the license's public facts, never the buyer's email.
- With a fingerprint, the answer also says whether that machine holds one of the license's
  seats (`activated`); the code does not depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.domain.activation import check_fingerprint, machine_hash
from core.domain.keys import KEY_WHITESPACE, ValidationCode
from core.domain.model import License, LicenseStatus
from ports.clock import Clock
from ports.signer import KeyVerifier
from ports.unit_of_work import UnitOfWorkFactory

@dataclass(frozen=True, slots=True, kw_only=True)
class ValidateLicenseCommand:
    key: str
    fingerprint: str | None = None


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
    code: ValidationCode
    reason: str
    facts: LicenseFacts | None = None
    activated: bool | None = None

    @property
    def valid(self) -> bool:
        return self.code is ValidationCode.VALID


class ValidateLicense:
    def __init__(self, *, uow: UnitOfWorkFactory, verifier: KeyVerifier, clock: Clock) -> None:
        self._uow = uow
        self._verifier = verifier
        self._clock = clock

    async def __call__(self, cmd: ValidateLicenseCommand) -> Validation:
        machine = machine_hash(check_fingerprint(cmd.fingerprint)) if cmd.fingerprint is not None else None
        now = self._clock.now()
        key = cmd.key.strip(KEY_WHITESPACE)  # only these are forgiven around a key (docs/key-format.md)
        check = self._verifier.check(key, now=now.timestamp())
        if check.code in (ValidationCode.MALFORMED, ValidationCode.BAD_SIGNATURE):
            return Validation(code=check.code, reason=check.reason)
        if check.claims is None:
            return Validation(code=ValidationCode.MALFORMED, reason="malformed: no claims")
        activated = None
        async with self._uow(autocommit=True) as uow:  # reads only
            lic = await uow.licenses.get(check.claims["lid"])
            if machine is not None:
                activated = lic is not None and await uow.activations.for_machine(lic.id, machine) is not None
        if check.code is ValidationCode.EXPIRED:  # as offline, whatever became of the license since
            return Validation(code=ValidationCode.EXPIRED, reason="expired", facts=_facts(lic) if lic else None,
                              activated=activated)
        code, reason = verdict(lic, key, now)
        return Validation(code=code, reason=reason, facts=_facts(lic) if lic else None, activated=activated)


def verdict(lic: License | None, key: str, now: datetime) -> tuple[ValidationCode, str]:
    """What the server adds to a well-signed, unexpired key: (code, reason)."""
    if lic is None:
        return ValidationCode.UNKNOWN, "well signed, but no such license here"
    if lic.key != key:
        return ValidationCode.REVOKED, "superseded by a newer key for this license"
    if lic.status is LicenseStatus.REVOKED:
        return ValidationCode.REVOKED, lic.status_reason or "revoked"
    if lic.status is LicenseStatus.SUSPENDED:
        return ValidationCode.SUSPENDED, lic.status_reason or "suspended"
    if lic.expires_at is not None and lic.expires_at <= now:
        return ValidationCode.EXPIRED, "expired"
    return ValidationCode.VALID, "ok"


def _facts(lic: License) -> LicenseFacts:
    return LicenseFacts(
        license_id=lic.id, product=lic.product, tier=lic.tier, seats=lic.seats,
        status=lic.status.value, expires_at=lic.expires_at, test=lic.test,
    )
