"""DeactivateMachine: a buyer frees the seat a machine holds, at once.

Rules:
- The key must be well signed and name a license this server holds; its status does not
  matter (freeing a seat is always allowed), so a revoked, suspended, expired or re-keyed
  license can still give a machine back.
- A machine holding no seat is NOT_ACTIVATED; a fingerprint outside the rules is
  INVALID_FINGERPRINT.
- The deactivation leaves a history row with the buyer as actor.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.activation import (
    ActivationAction, ActivationActor, ActivationCode, ActivationRecord, InvalidFingerprint, check_fingerprint,
    machine_hash,
)
from core.domain.keys import KEY_WHITESPACE, MAX_KEY_LENGTH
from core.usecases.activate_machine import ActivationResult
from ports.clock import Clock
from ports.signer import KeyVerifier
from ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True, kw_only=True)
class DeactivateMachineCommand:
    key: str
    fingerprint: str


class DeactivateMachine:
    def __init__(self, *, uow: UnitOfWorkFactory, verifier: KeyVerifier, clock: Clock) -> None:
        self._uow = uow
        self._verifier = verifier
        self._clock = clock

    async def __call__(self, cmd: DeactivateMachineCommand) -> ActivationResult:
        try:
            machine = machine_hash(check_fingerprint(cmd.fingerprint))
        except InvalidFingerprint as exc:
            return ActivationResult(code=ActivationCode.INVALID_FINGERPRINT.value, reason=exc.message)
        now = self._clock.now()
        key = cmd.key.strip(KEY_WHITESPACE)  # only these are forgiven around a key (docs/key-format.md)
        if len(key) > MAX_KEY_LENGTH:
            return ActivationResult(code="MALFORMED", reason="malformed: too long")
        check = self._verifier.check(key, now=now.timestamp())
        if check.code not in ("VALID", "EXPIRED") or check.claims is None:
            return ActivationResult(code=check.code, reason=check.reason)
        async with self._uow() as uow:
            await uow.activations.lock_license(check.claims["lid"])
            lic = await uow.licenses.get(check.claims["lid"])
            if lic is None:
                return ActivationResult(code="UNKNOWN", reason="well signed, but no such license here")
            activation = await uow.activations.for_machine(lic.id, machine)
            if activation is None:
                return ActivationResult(code=ActivationCode.NOT_ACTIVATED.value,
                                        reason="this machine holds no seat of this license")
            await uow.activations.remove(activation.id)
            await uow.activations.add_record(ActivationRecord(
                license_id=lic.id, at=now, action=ActivationAction.DEACTIVATED, actor_type=ActivationActor.BUYER,
                activation_id=activation.id, machine=machine,
            ))
            await uow.commit()
        return ActivationResult(code=ActivationCode.DEACTIVATED.value, reason="the seat is free", activation=activation)
