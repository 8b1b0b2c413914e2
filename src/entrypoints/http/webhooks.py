"""POST /webhooks/gumroad?secret=...: authenticate, store, process, answer."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web
from dependency_injector.wiring import Provide, inject

from core.usecases.process_event import ProcessEvent, ProcessEventCommand
from core.usecases.record_event import RecordEvent, RecordEventCommand
from entrypoints.container import Container
from entrypoints.http.middleware import not_found
from ports.errors import StorageUnavailable

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
MAX_CONTENT_TYPE = 200  # what events.content_type holds; the parser needs only the media type


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
        return not_found()
    if request.method != "POST":
        raise web.HTTPMethodNotAllowed(request.method, ["POST"])
    if request.content_length is not None and request.content_length > MAX_BODY:
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
        log.error("webhook body could not be stored; answering 503 so Gumroad retries: %s", exc)
        return web.json_response(
            {"error": "storage_unavailable", "message": "not stored; retry later"},
            status=503,
            headers={"Retry-After": "60"},
        )

    try:
        event = await process_event(ProcessEventCommand(event_id=recorded.id, recorded=recorded))
        log.info("event %s: %s: %s", recorded.id, event.status.value, event.outcome)
    except Exception as exc:  # stored is what matters: the event stays replayable
        log.warning("event %s stored but not processed: %s", recorded.id, exc)
    return web.json_response({"received": recorded.id})
