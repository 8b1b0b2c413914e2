"""An access log that never writes query strings (webhook secrets travel in them) and
writes the path as it came, percent-encoded: a decoded %0D%0A would start a forged line."""

from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from entrypoints.http.clients import CLIENT


class RedactingAccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s%s %d %.1fms",
            request.get(CLIENT) or request.remote,
            request.method,
            request.rel_url.raw_path,
            "?[redacted]" if request.query_string else "",
            response.status,
            time * 1000,
        )
