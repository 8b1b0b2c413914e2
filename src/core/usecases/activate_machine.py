"""ActivateMachine: a machine takes one of a license's seats and gets a signed lease; the
same call from a machine that holds a seat refreshes its lease.

Rules:
- The fingerprint is 8–256 printable ASCII characters (else INVALID_FINGERPRINT); only its
  SHA-256 is stored and signed.
- The key must validate exactly as `ValidateLicense` says VALID: a malformed, badly signed,
  expired, unknown, superseded, revoked or suspended key neither activates nor refreshes,
  and answers with that code.
- Seats are counted and taken under the license's lock, so concurrent activations never
  give more machines than `seats`. A refusal that a look without the lock already shows
  (the key does not validate; every seat held by a machine whose lease has not lapsed) is
  answered from that look, so a crowd of refused machines does not queue for the lock.
- Before counting, seats whose lease ended more than the tier's release time ago (default:
  two lease lengths) are released, each with a history row by the system.
- A license whose seats were lowered below its machines refuses new machines (machines
  already holding a seat still refresh) until enough are released.
- The lease lasts the tier's `lease_days`, never past the license's expiry, and for a
  membership never past the end of its paid period plus the tier's grace. A license whose
  paid period and grace are over is EXPIRED.
- Every activation and refresh leaves a history row with the buyer as actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core.domain.activation import (
    Activation, ActivationAction, ActivationActor, ActivationCode, ActivationRecord, InvalidFingerprint,
    LeasePolicy, check_fingerprint, machine_hash, refreshed,
)
from core.domain.errors import InvalidInput
from core.domain.keys import KEY_WHITESPACE, MAX_KEY_LENGTH, LeaseClaims
from core.domain.model import License
from core.usecases.validate_license import verdict
from ports.catalog import Catalog
from ports.clock import Clock, IdGenerator
from ports.signer import KeyVerifier, Signer
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivateMachineCommand:
    key: str
    fingerprint: str
    label: str | None = None
    platform: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivationResult:
    """`code` is an ActivationCode value or the key's validation code."""

    code: str
    reason: str
    activation: Activation | None = None
    lease: str | None = None
    created: bool = False
    seats: int | None = None
    active: int | None = None

    @property
    def ok(self) -> bool:
        return self.code == ActivationCode.ACTIVATED.value


def policy_for(catalog: Catalog, lic: License) -> LeasePolicy:
    product = catalog.product(lic.product)
    return LeasePolicy.of(product.tiers.get(lic.tier) if product else None)


def text_field(name: str, value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(name, f"at most {limit} characters")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise InvalidInput(name, "no control characters")
    return value or None


async def release_lapsed(uow: UnitOfWork, lic: License, policy: LeasePolicy, now: datetime) -> list[Activation]:
    """Releases the license's seats whose lease lapsed long enough ago; answers the rest."""
    kept = []
    for activation in await uow.activations.for_license(lic.id):
        if not policy.lapsed(activation, now):
            kept.append(activation)
            continue
        await uow.activations.remove(activation.id)
        await uow.activations.add_record(ActivationRecord(
            license_id=lic.id, at=now, action=ActivationAction.RELEASED, actor_type=ActivationActor.SYSTEM,
            activation_id=activation.id, machine=activation.machine,
            detail=f"lease ended {activation.lease_expires_at.isoformat()} and was not refreshed",
        ))
    return kept


class ActivateMachine:
    def __init__(
        self, *, uow: UnitOfWorkFactory, verifier: KeyVerifier, signer: Signer, catalog: Catalog,
        clock: Clock, ids: IdGenerator,
    ) -> None:
        self._uow = uow
        self._verifier = verifier
        self._signer = signer
        self._catalog = catalog
        self._clock = clock
        self._ids = ids

    async def __call__(self, cmd: ActivateMachineCommand) -> ActivationResult:
        try:
            machine = machine_hash(check_fingerprint(cmd.fingerprint))
        except InvalidFingerprint as exc:
            return ActivationResult(code=ActivationCode.INVALID_FINGERPRINT.value, reason=exc.message)
        label = text_field("label", cmd.label, 200)
        platform = text_field("platform", cmd.platform, 50)
        now = self._clock.now()
        key = cmd.key.strip(KEY_WHITESPACE)  # only these are forgiven around a key (docs/key-format.md)
        if len(key) > MAX_KEY_LENGTH:
            return ActivationResult(code="MALFORMED", reason="malformed: too long")
        check = self._verifier.check(key, now=now.timestamp())
        if check.code != "VALID" or check.claims is None:
            return ActivationResult(code=check.code, reason=check.reason)
        refused = await self._refused_at_a_glance(check.claims["lid"], key, machine, now)
        if refused is not None:
            return refused

        async with self._uow() as uow:
            await uow.activations.lock_license(check.claims["lid"])
            lic = await uow.licenses.get(check.claims["lid"])
            code, reason = verdict(lic, key, now)
            if lic is None or code != "VALID":
                return ActivationResult(code=code, reason=reason)
            policy = policy_for(self._catalog, lic)
            until = _whole_seconds(policy.lease_until(now, expires_at=lic.expires_at, paid_until=lic.paid_until))
            if until <= now:
                return ActivationResult(code="EXPIRED", reason="the paid period and its grace are over")

            current = await uow.activations.for_machine(lic.id, machine)
            if current is not None:
                activation = refreshed(current, now=now, until=until, label=label, platform=platform)
                await uow.activations.update(activation)
                action, created = ActivationAction.REFRESHED, False
            else:
                holding = await release_lapsed(uow, lic, policy, now)
                if len(holding) >= lic.seats:
                    await uow.commit()  # the releases stand
                    return _full(lic, len(holding))
                activation = Activation(
                    id=self._ids.new_id("act"), license_id=lic.id, machine=machine, label=label,
                    platform=platform, activated_at=now, refreshed_at=now, lease_expires_at=until,
                )
                await uow.activations.add(activation)
                action, created = ActivationAction.ACTIVATED, True
            await uow.activations.add_record(ActivationRecord(
                license_id=lic.id, at=now, action=action, actor_type=ActivationActor.BUYER,
                activation_id=activation.id, machine=machine,
            ))
            lease = self._signer.sign_lease(LeaseClaims(
                lid=lic.id, product=lic.product, tier=lic.tier, machine=machine,
                iat=int(now.timestamp()), exp=int(until.timestamp()), test=lic.test,
            ))
            await uow.commit()
        return ActivationResult(
            code=ActivationCode.ACTIVATED.value, reason="activated" if created else "lease refreshed",
            activation=activation, lease=lease.key, created=created,
        )

    async def _refused_at_a_glance(
        self, license_id: str, key: str, machine: str, now: datetime
    ) -> ActivationResult | None:
        """A refusal that committed data shows without taking the lock, or None."""
        async with self._uow(autocommit=True) as uow:  # reads only
            lic = await uow.licenses.get(license_id)
            held = await uow.activations.for_license(license_id) if lic is not None else []
        code, reason = verdict(lic, key, now)
        if lic is None or code != "VALID":
            return ActivationResult(code=code, reason=reason)
        policy = policy_for(self._catalog, lic)
        if len(held) < lic.seats or any(a.machine == machine or policy.lapsed(a, now) for a in held):
            return None
        return _full(lic, len(held))


def _full(lic: License, active: int) -> ActivationResult:
    return ActivationResult(
        code=ActivationCode.TOO_MANY_MACHINES.value,
        reason=f"all {lic.seats} seat(s) are taken; deactivate a machine first", seats=lic.seats, active=active,
    )


def _whole_seconds(at: datetime) -> datetime:
    """The lease's `exp` is whole seconds; the stored expiry says the same."""
    return datetime.fromtimestamp(int(at.timestamp()), UTC)
