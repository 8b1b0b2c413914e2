"""POST /webhooks/gumroad?secret=...: authenticate, store, process, answer."""

from __future__ import annotations

import hmac
import logging
import re
import time

from aiohttp import web
from dependency_injector.wiring import Provide, inject

from core.usecases.process_event import ProcessEvent, ProcessEventCommand
from core.usecases.record_event import RecordEvent, RecordEventCommand
from entrypoints import metrics
from entrypoints.container import Container
from entrypoints.http.middleware import not_found
from ports.errors import StorageUnavailable

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
MAX_CONTENT_TYPE = 200  # what events.content_type holds; the parser needs only the media type
# The license an event's outcome names ("minted lic_…", "duplicate of lic_…"), for the log
# line that links a request to the license and, through it, to its delivery.
LICENSE_ID = re.compile(r"\blic_[A-Za-z0-9_-]+")


def storable_content_type(header: str) -> str:
    """The Content-Type as it can be stored: the body is kept whatever its headers say."""
    printable = "".join(c if c.isprintable() else "?" for c in header)
    return printable[:MAX_CONTENT_TYPE]


def secret_matches(given: str, configured: tuple[str, ...]) -> bool:
    """Constant time in the secret's content: every configured secret is compared."""
    given_bytes = given.encode("utf-8")
    matched = False
    for secret in configured:
        matched |= hmac.compare_digest(given_bytes, secret.encode("utf-8"))
    return matched


@inject
async def gumroad(
    request: web.Request,
    secrets: tuple[str, ...] = Provide[Container.settings.provided.webhook_secrets],
    record_event: RecordEvent = Provide[Container.record_event],
    process_event: ProcessEvent = Provide[Container.process_event],
) -> web.StreamResponse:
    if not secret_matches(request.query.get("secret", ""), secrets):
        metrics.webhook_received(metrics.WebhookOutcome.UNAUTHORIZED)
        return not_found()
    if request.method != "POST":
        metrics.webhook_received(metrics.WebhookOutcome.WRONG_METHOD)
        raise web.HTTPMethodNotAllowed(request.method, ["POST"])
    if request.content_length is not None and request.content_length > MAX_BODY:
        metrics.webhook_received(metrics.WebhookOutcome.TOO_LARGE)
        raise web.HTTPRequestEntityTooLarge(MAX_BODY, request.content_length)
    body = await request.read()

    try:
        recorded = await record_event(
            RecordEventCommand(
                source="gumroad",
                body=body,
                content_type=storable_content_type(request.headers.get("Content-Type", "")),
            )
        )
    except StorageUnavailable as exc:
        metrics.webhook_received(metrics.WebhookOutcome.STORAGE_UNAVAILABLE)
        log.error("webhook body could not be stored; answering 503 so Gumroad retries: %s", exc)
        return web.json_response(
            {"error": "storage_unavailable", "message": "not stored; retry later"},
            status=503,
            headers={"Retry-After": "60"},
        )

    metrics.webhook_received(metrics.WebhookOutcome.STORED)
    started = time.perf_counter()
    try:
        event = await process_event(ProcessEventCommand(event_id=recorded.id, recorded=recorded))
        metrics.event_processed(event.status.value, time.perf_counter() - started)
        found = LICENSE_ID.search(event.outcome or "")
        log.info(
            "event %s: %s: %s", recorded.id, event.status.value, event.outcome,
            extra={"event_id": recorded.id, "license_id": found.group(0) if found else None},
        )
    except Exception as exc:  # stored is what matters: the event stays replayable
        metrics.event_processed("error", time.perf_counter() - started)
        log.warning("event %s stored but not processed: %s", recorded.id, exc, extra={"event_id": recorded.id})
    return web.json_response({"received": recorded.id})
