"""The console's events (filter, raw body, replay one, replay all failed) and deliveries
(dead ones with their last error, retry)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import markupsafe
from aiohttp import web

from core.domain.errors import InvalidInput
from core.domain.model import DeliveryStatus, Event, EventStatus
from core.domain.notices import NoticeKind
from core.domain.queries import Cursor, DeliveryFilter, EventFilter, PageRequest
from core.usecases.browse import ListCommand, ShowCommand
from core.usecases.replay_events import ReplayEventCommand, ReplayFailedCommand
from core.usecases.retry_delivery import RetryDeliveryCommand
from entrypoints.http.keys import CONTAINER
from entrypoints.http.web.console_auth import CSRF, OPERATOR, SESSIONS, page, see_other
from entrypoints.http.web.pages import render_part, secure_headers

KINDS = tuple(k.value for k in NoticeKind)


def _choice(request: web.Request, name: str, allowed: Sequence[str]) -> str | None:
    value = request.query.get(name) or None
    if value is not None and value not in allowed:
        raise InvalidInput(name, f"one of {', '.join(allowed)}")
    return value


def _page(request: web.Request) -> PageRequest:
    cursor = request.query.get("cursor")
    return PageRequest(after=Cursor.decode(cursor) if cursor else None, limit=50)


async def events(request: web.Request) -> web.Response:
    status = _choice(request, "status", [s.value for s in EventStatus])
    kind = _choice(request, "kind", KINDS)
    found = await request.app[CONTAINER].list_events()(
        ListCommand(where=EventFilter(status=EventStatus(status) if status else None,
                                      kind=NoticeKind(kind) if kind else None), page=_page(request)))
    return page(request, "console/events.html", page_=found, status_filter=status, kind=kind,
                statuses=[s.value for s in EventStatus], kinds=KINDS)


async def event(request: web.Request) -> web.Response:
    found = await request.app[CONTAINER].show_event()(ShowCommand(id=request.match_info["event_id"]))
    body = found.body.decode("utf-8", errors="replace")
    return page(request, "console/event.html", event=found, body=body, done=request.query.get("done"))


async def replay(request: web.Request) -> web.Response:
    event_id = request.match_info["event_id"]
    await request.app[CONTAINER].replay_event()(ReplayEventCommand(event_id=event_id))
    return see_other(f"/console/events/{event_id}?done=replayed")


async def replay_failed(request: web.Request) -> web.StreamResponse:
    """Streams the page: a line per event as it is replayed (progress without JavaScript),
    then the summary."""
    form = await request.post()
    if form.get("confirm") != "yes":
        return page(request, "console/replay_confirm.html")
    response = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8"})
    secure_headers(response)
    session = request.app[SESSIONS].read(request)
    if session is not None:  # console_guard let the request in with one
        request.app[SESSIONS].keep(request, response, session)
    await response.prepare(request)
    mark = "<!--progress-->"
    head, middle, tail = render_part("console/replay_progress.html", operator=request[OPERATOR],
                                     csrf=request[CSRF], mark=markupsafe.Markup(mark)).split(mark)
    await response.write(head.encode())
    lines: asyncio.Queue[tuple[int, int, Event]] = asyncio.Queue()
    task = asyncio.ensure_future(request.app[CONTAINER].replay_failed()(ReplayFailedCommand(
        progress=lambda done, total, event: lines.put_nowait((done, total, event)))))
    while not (task.done() and lines.empty()):
        getter = asyncio.ensure_future(lines.get())
        await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
        if getter.done():
            done, total, event = getter.result()
            await response.write(render_part("console/replay_progress_line.html", done=done, total=total,
                                             event=event).encode())
        else:
            getter.cancel()
    summary = task.result()
    await response.write(middle.encode())
    await response.write(render_part("console/replay_progress_summary.html", summary=summary).encode())
    await response.write(tail.encode())
    await response.write_eof()
    return response


async def deliveries(request: web.Request) -> web.Response:
    status = _choice(request, "status", [s.value for s in DeliveryStatus]) if "status" in request.query \
        else DeliveryStatus.DEAD.value
    found = await request.app[CONTAINER].list_deliveries()(
        ListCommand(where=DeliveryFilter(status=DeliveryStatus(status) if status else None), page=_page(request)))
    return page(request, "console/deliveries.html", page_=found, status_filter=status,
                statuses=[s.value for s in DeliveryStatus], done=request.query.get("done"))


async def retry(request: web.Request) -> web.Response:
    await request.app[CONTAINER].retry_delivery()(RetryDeliveryCommand(
        delivery_id=request.match_info["delivery_id"], admin=request[OPERATOR]))
    return see_other("/console/deliveries?done=retried")
