"""The delivery worker loop: inside `licensemint serve` or alone (`licensemint worker`)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import secrets

from adapters.wakeup import AsyncioWakeup
from core.usecases.deliver_pending import DeliverPending, DeliverPendingCommand
from entrypoints import metrics
from ports.errors import StorageUnavailable

log = logging.getLogger(__name__)


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class DeliveryWorker:
    """Claims due deliveries and sends them; sleeps until woken or the poll interval ends.

    The poll finds work that another process queued, and retries whose time has come."""

    def __init__(
        self,
        deliver: DeliverPending,
        wakeup: AsyncioWakeup,
        *,
        poll_seconds: float = 1.0,
        batch: int = 20,
        grace_seconds: float = 15.0,
    ) -> None:
        self._deliver = deliver
        self._wakeup = wakeup
        self._poll = poll_seconds
        self._batch = batch
        self._grace = grace_seconds
        self.worker_id = new_worker_id()
        self.configuration_error: str | None = None
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="delivery-worker")
        self._task.add_done_callback(self._done)

    async def stop(self) -> None:
        """Lets an in-flight send finish (up to the grace period), then stops."""
        if self._task is None:
            return
        self._stopping = True
        self._wakeup.notify()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), self._grace)
        except TimeoutError:
            log.warning("delivery worker did not finish within %.0fs; its claims will lapse", self._grace)
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        log.info("delivery worker %s started", self.worker_id)
        while not self._stopping:
            claimed = 0
            try:
                report = await self._deliver(
                    DeliverPendingCommand(worker_id=self.worker_id, limit=self._batch)
                )
                claimed = report.claimed
                metrics.deliveries_finished(sent=report.sent, retrying=report.retrying, dead=report.dead)
                if report.configuration_error:
                    if report.configuration_error != self.configuration_error:
                        log.error("mail configuration error: %s", report.configuration_error)
                    self.configuration_error = report.configuration_error
                elif report.sent:
                    self.configuration_error = None
                if report.claimed:
                    log.info(
                        "deliveries: %d sent, %d to retry, %d dead",
                        report.sent, report.retrying, report.dead,
                    )
            except StorageUnavailable as exc:
                log.warning("delivery worker: database unavailable: %s", exc)
            except Exception:
                log.exception("delivery worker: unexpected error; carrying on")
            if claimed < self._batch and not self._stopping:
                await self._wakeup.wait(self._poll)
        log.info("delivery worker %s stopped", self.worker_id)

    def _done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("delivery worker died", exc_info=task.exception())
