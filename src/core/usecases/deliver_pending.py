"""DeliverPending: send the license emails that are due, and record what happened.

Rules:
- A delivery is claimed for a lease before sending, so two workers never send it at once;
  a claim left by a worker that died is taken over when its lease ends.
- Sending happens outside any transaction; the result is recorded afterwards, and only
  while this worker still holds the claim.
- Sent: the provider's message id is kept. Transient failure: back to pending with
  exponential backoff and jitter, until the attempts run out, then dead. Permanent failure
  (message or recipient): dead at once, with the reason.
- Ambiguous (sent, no answer): retried like a transient failure, but the next attempt asks
  the provider first whether it already has the message, so the buyer gets one email. A
  claim that ended without a recorded result (its worker died mid-send) counts as ambiguous.
- Configuration failure (bad credentials, unverified sender): no attempt is spent; the
  delivery waits and the failure is reported to the operator.
- Every attempt is recorded: when, by which worker, the outcome, the provider's message id
  or the error.
- A claimed batch is sent several at a time (`parallel`): a provider's latency, not our
  loop, sets the pace.
- Stopped mid-batch (shutdown), the claims not yet finished are released at once.
- A failed email never touches the license.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from core.domain.model import Delivery, DeliveryAttempt, DeliveryStatus
from core.domain.retry import RetryPolicy
from ports.catalog import Catalog
from ports.clock import Clock
from ports.mailer import EmailRenderer, Mailer, SendOutcome, SendResult
from ports.unit_of_work import UnitOfWorkFactory

log = logging.getLogger(__name__)

CONFIGURATION_PAUSE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliverPendingCommand:
    worker_id: str
    limit: int = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    configuration_error: str | None = None


class DeliverPending:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        mailer: Mailer,
        renderer: EmailRenderer,
        catalog: Catalog,
        clock: Clock,
        policy: RetryPolicy = RetryPolicy(),
        lease: timedelta = timedelta(minutes=2),
        rand: Callable[[], float] = random.random,
        parallel: int = 8,
    ) -> None:
        self._uow = uow
        self._mailer = mailer
        self._renderer = renderer
        self._catalog = catalog
        self._clock = clock
        self._policy = policy
        self._lease = lease
        self._rand = rand
        self._parallel = parallel

    async def __call__(self, cmd: DeliverPendingCommand) -> DeliveryReport:
        now = self._clock.now()
        async with self._uow() as uow:
            claimed = await uow.deliveries.claim_due(
                now=now, lease_until=now + self._lease, worker_id=cmd.worker_id, limit=cmd.limit
            )
            await uow.commit()
        counts = {DeliveryStatus.SENT: 0, DeliveryStatus.PENDING: 0, DeliveryStatus.DEAD: 0}
        config_errors: list[str] = []
        finished: set[str] = set()
        turns = asyncio.Semaphore(self._parallel)

        async def deliver(delivery: Delivery) -> None:
            async with turns:
                result = await self._send(delivery)
                if result.outcome is SendOutcome.CONFIGURATION:
                    config_errors.append(result.detail or "")
                after = self._after(delivery, result)
                await self._record(after, result, cmd.worker_id)
                finished.add(delivery.id)
                counts[after.status] += 1

        try:
            outcomes = await asyncio.gather(*(deliver(d) for d in claimed), return_exceptions=True)
        except asyncio.CancelledError:
            unfinished = [d for d in claimed if d.id not in finished]
            await asyncio.shield(self._release(unfinished, cmd.worker_id))
            raise
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        if failures:  # e.g. the database went away while recording: the worker logs it
            raise failures[0]
        config_error = config_errors[-1] if config_errors else None
        return DeliveryReport(
            claimed=len(claimed),
            sent=counts[DeliveryStatus.SENT],
            retrying=counts[DeliveryStatus.PENDING],
            dead=counts[DeliveryStatus.DEAD],
            configuration_error=config_error,
        )

    async def _record(self, after: Delivery, result: SendResult, worker_id: str) -> None:
        attempt = DeliveryAttempt(
            delivery_id=after.id,
            at=self._clock.now(),
            outcome=result.outcome.value,
            worker_id=worker_id,
            provider_message_id=result.message_id,
            error=None if result.outcome is SendOutcome.SENT else result.detail,
        )
        async with self._uow() as uow:
            kept = await uow.deliveries.update(after, claimed_by=worker_id)
            if kept:
                await uow.deliveries.add_attempt(attempt)
            await uow.commit()
        if not kept:
            log.warning("delivery %s: claim lost before the result was recorded", after.id)

    async def _release(self, unfinished: list[Delivery], worker_id: str) -> None:
        """Gives back claims this worker will not finish, keeping the attempt unspent."""
        async with self._uow() as uow:
            for delivery in unfinished:
                await uow.deliveries.update(
                    replace(delivery, lease_until=None, worker_id=None, attempts=delivery.attempts - 1),
                    claimed_by=worker_id,
                )
            await uow.commit()

    async def _send(self, delivery: Delivery) -> SendResult:
        async with self._uow(autocommit=True) as uow:  # reads only: no transaction round trips
            license = await uow.licenses.get(delivery.license_id)
            earlier = await uow.deliveries.attempts(delivery.id) if delivery.attempts > 1 else []
        if license is None:
            return SendResult(
                outcome=SendOutcome.PERMANENT_MESSAGE, detail=f"license {delivery.license_id} is gone"
            )
        product = self._catalog.product(license.product)
        tier = product.tiers.get(license.tier) if product else None
        if product is None or tier is None:
            return SendResult(
                outcome=SendOutcome.CONFIGURATION,
                detail=f"product {license.product}/{license.tier} is no longer in the catalog",
            )
        email = self._renderer.license_email(
            license=license, product=product, tier=tier, delivery_id=delivery.id
        )
        unrecorded = len(earlier) < delivery.attempts - 1  # a worker died holding the claim
        if unrecorded or (earlier and earlier[-1].outcome == SendOutcome.AMBIGUOUS.value):
            email = replace(email, confirm_first=True)
        try:
            return await self._mailer.send(email)
        except Exception as exc:  # a mailer bug must not kill the worker; retry later
            log.exception("mailer raised for delivery %s", delivery.id)
            return SendResult(outcome=SendOutcome.TRANSIENT, detail=f"{type(exc).__name__}: {exc}")

    def _after(self, delivery: Delivery, result: SendResult) -> Delivery:
        now = self._clock.now()
        released = replace(delivery, lease_until=None, worker_id=None)
        outcome = result.outcome
        if outcome is SendOutcome.SENT:
            return replace(
                released,
                status=DeliveryStatus.SENT,
                provider_message_id=result.message_id,
                sent_at=now,
                last_error=None,
            )
        if outcome is SendOutcome.CONFIGURATION:
            return replace(
                released,
                attempts=max(delivery.attempts - 1, 0),
                next_attempt_at=now + CONFIGURATION_PAUSE,
                last_error=f"configuration: {result.detail}",
            )
        retryable = outcome in (SendOutcome.TRANSIENT, SendOutcome.AMBIGUOUS)
        if retryable and not self._policy.exhausted(delivery.attempts):
            return replace(
                released,
                next_attempt_at=now + self._policy.delay(delivery.attempts, self._rand()),
                last_error=f"{outcome.value}: {result.detail}",
            )
        reason = {
            SendOutcome.TRANSIENT: f"gave up after {delivery.attempts} attempts: {result.detail}",
            SendOutcome.AMBIGUOUS: f"gave up after {delivery.attempts} attempts: {result.detail}",
            SendOutcome.PERMANENT_MESSAGE: f"permanent (message): {result.detail}",
            SendOutcome.PERMANENT_RECIPIENT: f"permanent (recipient): {result.detail}",
        }[outcome]
        return replace(released, status=DeliveryStatus.DEAD, last_error=reason)
