"""The worker's Sales API jobs: reconciliation at start and every RECONCILE_EVERY minutes
(0: not in this process), and asking Gumroad again about sales waiting for confirmation."""

from __future__ import annotations

import asyncio
import logging
import time

from entrypoints import metrics
from core.usecases.reconcile import Reconcile, ReconcileCommand
from core.usecases.retry_confirmations import RetryConfirmationsCommand, RetryPendingConfirmations
from ports.errors import StorageUnavailable

log = logging.getLogger(__name__)


class SalesJobs:
    def __init__(
        self,
        reconcile: Reconcile | None,
        retry: RetryPendingConfirmations | None,
        *,
        every_minutes: float,
        poll_seconds: float = 10.0,
        grace_seconds: float = 15.0,
    ) -> None:
        self._reconcile = reconcile
        self._retry = retry
        self._every = every_minutes * 60
        self._poll = poll_seconds
        self._grace = grace_seconds
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.runs = 0

    @property
    def enabled(self) -> bool:
        return self._reconcile is not None or self._retry is not None

    def start(self) -> None:
        if not self.enabled:
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sales-jobs")
        self._task.add_done_callback(self._done)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), self._grace)
        except TimeoutError:
            log.warning("reconciliation did not finish within %.0fs; the next run resumes it", self._grace)
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        due = time.monotonic()  # reconcile at start
        while not self._stop.is_set():
            if self._reconcile is not None and time.monotonic() >= due:
                due = time.monotonic() + self._every
                await self._reconcile_once(self._reconcile)
            if self._retry is not None:
                await self._retry_once(self._retry)
            try:
                await asyncio.wait_for(self._stop.wait(), self._poll)
            except TimeoutError:
                pass

    async def _reconcile_once(self, reconcile: Reconcile) -> None:
        try:
            summary = await reconcile(ReconcileCommand())
            metrics.reconciliation_summary(summary)
            self.runs += 1
            log.info(
                "reconciliation from %s: %d pages, %d sales seen, %d recovered, %d lifecycle changes, "
                "%d failed events%s",
                summary.after, summary.pages_read, summary.sales_seen, len(summary.recovered),
                len(summary.lifecycle), len(summary.failures),
                "" if summary.complete else f"; incomplete: {summary.error}",
            )
        except StorageUnavailable as exc:
            metrics.reconciliation_run(metrics.ReconciliationOutcome.FAILED)
            log.warning("reconciliation: database unavailable: %s", exc)
        except Exception:
            metrics.reconciliation_run(metrics.ReconciliationOutcome.FAILED)
            log.exception("reconciliation: unexpected error; trying again at the next run")

    async def _retry_once(self, retry: RetryPendingConfirmations) -> None:
        try:
            report = await retry(RetryConfirmationsCommand())
            if report.retried:
                log.info("confirmations: %d retried, %d confirmed, %d still pending",
                         report.retried, report.confirmed, report.still_pending)
        except StorageUnavailable as exc:
            log.warning("confirmations: database unavailable: %s", exc)
        except Exception:
            log.exception("confirmations: unexpected error; carrying on")

    def _done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("sales jobs died", exc_info=task.exception())


def sales_jobs(container) -> SalesJobs:  # type: ignore[no-untyped-def]
    """The jobs the container's settings call for: reconciliation needs GUMROAD_ACCESS_TOKEN."""
    settings = container.settings()
    has_api = container.sales_api() is not None
    every = settings.reconcile_every_minutes
    # Always retried: with confirmation turned off since, waiting events are minted unasked.
    return SalesJobs(
        container.reconcile() if has_api and every > 0 else None,
        container.retry_confirmations(),
        every_minutes=every,
    )
