"""Prometheus metrics: what happened (counters kept by the process that saw it) and what the
database holds (read at scrape time).

Counters and the histogram live in this process; with several processes
(`serve --processes N`, or any set-up that exports PROMETHEUS_MULTIPROC_DIR before the
processes start) prometheus-client's multiprocess mode writes them to files in that
directory and a scrape of any process adds every process's files up. Backlog gauges (events
by status, the outbox, dead deliveries) are never counted in memory: each scrape asks the
database, so every process and machine answers the same.

The process metrics (`process_*`, `python_*`) describe the process that answered the scrape.

Other parts of the code call the small functions below (`webhook_received`, `validation`,
`activation`, `reconciliation_run`, ...) rather than touching the metric objects.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime

# prometheus-client picks its value store when imported: multiprocess files whenever the
# variable exists, even empty (which would write them into the working directory). Empty
# means unset here.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR") == "":
    del os.environ["PROMETHEUS_MULTIPROC_DIR"]

from prometheus_client import (  # noqa: E402
    CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, PlatformCollector,
    ProcessCollector, disable_created_metrics, generate_latest, multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.observed import BacklogState, read_backlog
from core.domain.activation import ActivationCode
from core.domain.keys import ValidationCode
from core.domain.model import EventStatus
from core.usecases.reconcile import ReconcileSummary

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
BACKLOG_TIMEOUT_SECONDS = 5.0


def multiprocess_mode() -> bool:
    """prometheus-client chooses its value store when first imported, from this variable."""
    return bool(os.environ.get(MULTIPROC_ENV))


class WebhookOutcome(str, enum.Enum):
    STORED = "stored"  # 200: stored (and processed or left to replay)
    UNAUTHORIZED = "unauthorized"  # 404: no configured secret matched
    WRONG_METHOD = "wrong_method"
    TOO_LARGE = "too_large"
    STORAGE_UNAVAILABLE = "storage_unavailable"  # 503: Gumroad retries


class DeliveryOutcome(str, enum.Enum):
    SENT = "sent"
    RETRY = "retry"
    DEAD = "dead"


class ActivationOutcome(str, enum.Enum):
    ACTIVATED = "activated"  # a new seat taken
    REFRESHED = "refreshed"  # a machine already active renewed its lease
    TOO_MANY_MACHINES = "too_many_machines"
    REFUSED = "refused"  # the key is not valid, a bad fingerprint, ...
    DEACTIVATED = "deactivated"
    NOT_ACTIVATED = "not_activated"


def activation_outcome(code: str, *, created: bool) -> ActivationOutcome:
    """An activation or deactivation answer's code (ActivationCode or a validation code)."""
    if code == ActivationCode.ACTIVATED:
        return ActivationOutcome.ACTIVATED if created else ActivationOutcome.REFRESHED
    known = {ActivationCode.TOO_MANY_MACHINES: ActivationOutcome.TOO_MANY_MACHINES,
             ActivationCode.DEACTIVATED: ActivationOutcome.DEACTIVATED,
             ActivationCode.NOT_ACTIVATED: ActivationOutcome.NOT_ACTIVATED}
    for known_code, outcome in known.items():
        if code == known_code:
            return outcome
    return ActivationOutcome.REFUSED


class ReconciliationOutcome(str, enum.Enum):
    COMPLETED = "completed"
    FAILED = "failed"


VALIDATION_CODES = tuple(code.value for code in ValidationCode)
RATE_LIMITS = ("validate", "resend_client", "resend_address", "activate_client", "activate_license",
               "console_sign_in")
EVENT_STATUSES = tuple(status.value for status in EventStatus)

disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series: nothing here queries them

# In multiprocess mode the objects are registered nowhere: the scrape reads the files.
_REGISTRY: CollectorRegistry | None = None if multiprocess_mode() else CollectorRegistry(auto_describe=True)

WEBHOOKS = Counter(
    "licensemint_webhooks_received", "Webhook requests by outcome.", ["outcome"], registry=_REGISTRY
)
EVENT_PROCESSING = Histogram(
    "licensemint_event_processing_seconds",
    "Time to process a stored webhook event (parse, license, outbox), by resulting status.",
    ["status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=_REGISTRY,
)
DELIVERIES = Counter(
    "licensemint_deliveries", "Delivery attempts finished, by what became of the email.", ["outcome"],
    registry=_REGISTRY,
)
VALIDATIONS = Counter(
    "licensemint_validations", "Online key validations by answer code.", ["code"], registry=_REGISTRY
)
ACTIVATIONS = Counter(
    "licensemint_activations", "Machine activation requests by outcome.", ["outcome"], registry=_REGISTRY
)
RATE_LIMITED = Counter(
    "licensemint_rate_limited", "Requests refused with 429, by limit.", ["limit"], registry=_REGISTRY
)
RECONCILIATION_RUNS = Counter(
    "licensemint_reconciliation_runs", "Sales API reconciliation runs by outcome.", ["outcome"],
    registry=_REGISTRY,
)
SALES_RECOVERED = Counter(
    "licensemint_reconciliation_sales_recovered",
    "Sales found by reconciliation that no webhook had delivered.", registry=_REGISTRY,
)

# Every series exists from the start at 0, so dashboards and rate() see the first event.
for _outcome in WebhookOutcome:
    WEBHOOKS.labels(_outcome.value)
for _status in ("processed", "failed", "error"):
    EVENT_PROCESSING.labels(_status)
for _delivery in DeliveryOutcome:
    DELIVERIES.labels(_delivery.value)
for _code in VALIDATION_CODES:
    VALIDATIONS.labels(_code)
for _activation in ActivationOutcome:
    ACTIVATIONS.labels(_activation.value)
for _limit in RATE_LIMITS:
    RATE_LIMITED.labels(_limit)
for _run in ReconciliationOutcome:
    RECONCILIATION_RUNS.labels(_run.value)


def webhook_received(outcome: WebhookOutcome) -> None:
    WEBHOOKS.labels(outcome.value).inc()


def event_processed(status: str, seconds: float) -> None:
    """`status`: the event's status afterwards (processed, failed), or error if it raised."""
    EVENT_PROCESSING.labels(status).observe(seconds)


def deliveries_finished(*, sent: int, retrying: int, dead: int) -> None:
    for outcome, count in ((DeliveryOutcome.SENT, sent), (DeliveryOutcome.RETRY, retrying),
                           (DeliveryOutcome.DEAD, dead)):
        if count:
            DELIVERIES.labels(outcome.value).inc(count)


def validation(code: str) -> None:
    VALIDATIONS.labels(code).inc()


def activation(outcome: ActivationOutcome) -> None:
    ACTIVATIONS.labels(outcome.value).inc()


def rate_limited(limit: str) -> None:
    RATE_LIMITED.labels(limit).inc()


def reconciliation_run(outcome: ReconciliationOutcome, *, recovered: int = 0) -> None:
    RECONCILIATION_RUNS.labels(outcome.value).inc()
    if recovered:
        SALES_RECOVERED.inc(recovered)


class _Backlog:
    """The database's numbers as gauges, from one read made for this scrape."""

    def __init__(self, state: BacklogState | None, now: datetime) -> None:
        self._state = state
        self._now = now

    def collect(self) -> Iterator[Metric]:
        ok = GaugeMetricFamily(
            "licensemint_backlog_read_ok",
            "1 when this scrape read the backlog from the database, 0 when the read failed.",
            value=0 if self._state is None else 1,
        )
        yield ok
        if self._state is None:
            return
        state = self._state
        events = GaugeMetricFamily("licensemint_events", "Stored webhook events by status.", labels=["status"])
        for status in sorted(set(EVENT_STATUSES) | set(state.events_by_status)):
            events.add_metric([status], state.events_by_status.get(status, 0))
        yield events
        yield GaugeMetricFamily(
            "licensemint_outbox_pending", "License emails waiting to be sent (including retries).",
            value=state.deliveries_by_status.get("pending", 0),
        )
        oldest = state.oldest_pending_created_at
        yield GaugeMetricFamily(
            "licensemint_outbox_oldest_pending_age_seconds",
            "Age of the oldest email still waiting to be sent; 0 when none waits.",
            value=max(0.0, (self._now - oldest).total_seconds()) if oldest else 0.0,
        )
        yield GaugeMetricFamily(
            "licensemint_deliveries_dead", "License emails given up on (need an operator).",
            value=state.deliveries_by_status.get("dead", 0),
        )


async def exposition(engine: AsyncEngine) -> bytes:
    """The whole text a scrape gets. A database that does not answer costs the backlog
    gauges (and sets licensemint_backlog_read_ok 0), never the counters."""
    try:
        state = await asyncio.wait_for(read_backlog(engine), BACKLOG_TIMEOUT_SECONDS)
    except Exception as exc:  # noqa: BLE001 - any failure is reported the same way
        log.warning("metrics: backlog not read from the database: %s", type(exc).__name__)
        state = None
    registry = CollectorRegistry(auto_describe=False)
    if _REGISTRY is None:
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_REGISTRY)
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    registry.register(_Backlog(state, datetime.now(UTC)))
    return generate_latest(registry)


def reconciliation_summary(summary: ReconcileSummary, *, dry_run: bool = False) -> None:
    """A Reconcile run's summary: completed or not, and the sales it recovered (none on a
    dry run, which only reports them)."""
    reconciliation_run(
        ReconciliationOutcome.COMPLETED if summary.complete else ReconciliationOutcome.FAILED,
        recovered=0 if dry_run else len(summary.recovered),
    )


def mark_process_dead(pid: int) -> None:
    """For a supervisor: drops a finished process's live-gauge files (multiprocess mode)."""
    if multiprocess_mode():
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
