"""A local server that speaks Postmark's email API as documented: token check, answers from
a script, message search by metadata. Built from the API's shapes, not from our client."""

from __future__ import annotations

import asyncio
import base64
import uuid

from aiohttp import web

TOKEN = "fake-postmark-server-token"
TRACK_LINKS = {"None", "HtmlAndText", "HtmlOnly", "TextOnly"}


class FakePostmark:
    """`script` holds the answers to the next POST /email requests, then "ok" for ever:
    "ok", "422-300", "422-406", "429", "500", "accept-then-hang", "hang"."""

    def __init__(self) -> None:
        self.script: list[str] = []
        self.accepted: list[dict] = []
        self.requests = 0
        self.searches = 0
        self.app = web.Application()
        self.app.router.add_post("/email", self.email)
        self.app.router.add_get("/messages/outbound", self.search)

    def _error(self, status: int, code: int, message: str) -> web.Response:
        return web.json_response({"ErrorCode": code, "Message": message}, status=status)

    async def email(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        if request.headers.get("X-Postmark-Server-Token") != TOKEN:
            return self._error(401, 10, "The Server Token you provided in the X-Postmark-Server-Token request header was invalid.")
        if request.headers.get("Accept") != "application/json":
            return self._error(422, 300, "Accept header must be application/json")
        body = await request.json()
        problem = self._invalid(body)
        if problem:
            return self._error(422, 300, problem)
        answer = self.script.pop(0) if self.script else "ok"
        if answer == "hang":
            await asyncio.sleep(3600)
        if answer == "422-406":
            return self._error(422, 406, "You tried to send to recipient(s) that have been marked as inactive.")
        if answer == "422-300":
            return self._error(422, 300, "Invalid email request")
        if answer in ("429", "500"):
            return self._error(int(answer), 0 if answer == "500" else 429, "slow down" if answer == "429" else "oops")
        message_id = str(uuid.uuid4())
        self.accepted.append({**body, "MessageID": message_id})
        if answer == "accept-then-hang":
            await asyncio.sleep(3600)
        return web.json_response({"To": body["To"], "SubmittedAt": "2026-11-28T18:00:00Z",
                                  "MessageID": message_id, "ErrorCode": 0, "Message": "OK"})

    def _invalid(self, body: dict) -> str | None:
        for field in ("From", "To", "Subject"):
            if not body.get(field):
                return f"Missing {field}"
        if not (body.get("HtmlBody") or body.get("TextBody")):
            return "Provide either HtmlBody or TextBody"
        metadata = body.get("Metadata", {})
        if not isinstance(metadata, dict) or any(len(k) > 20 or not isinstance(v, str) for k, v in metadata.items()):
            return "Metadata must map names of at most 20 characters to strings"
        if "TrackLinks" in body and body["TrackLinks"] not in TRACK_LINKS:
            return "Invalid TrackLinks"
        if not isinstance(body.get("Tag", ""), str):
            return "Tag must be a string"
        attachments = body.get("Attachments", [])
        if not isinstance(attachments, list):
            return "Attachments must be a list"
        for attachment in attachments:
            if not isinstance(attachment, dict) or not all(
                isinstance(attachment.get(f), str) and attachment[f] for f in ("Name", "Content", "ContentType")
            ):
                return "Each attachment needs Name, Content (base64) and ContentType"
            try:
                base64.b64decode(attachment["Content"], validate=True)
            except ValueError:
                return f"Attachment {attachment['Name']}: Content is not base64"
        return None

    async def search(self, request: web.Request) -> web.Response:
        self.searches += 1
        if request.headers.get("X-Postmark-Server-Token") != TOKEN:
            return self._error(401, 10, "bad token")
        wanted = {k[len("metadata_"):]: v for k, v in request.query.items() if k.startswith("metadata_")}
        found = [m for m in self.accepted if all(m.get("Metadata", {}).get(k) == v for k, v in wanted.items())]
        count = int(request.query.get("count", "100"))
        offset = int(request.query.get("offset", "0"))
        page = found[offset:offset + count]
        return web.json_response({"TotalCount": len(found), "Messages": [
            {"MessageID": m["MessageID"], "To": [{"Email": m["To"]}], "Subject": m["Subject"],
             "Metadata": m.get("Metadata", {}), "Status": "Sent"} for m in page]})
