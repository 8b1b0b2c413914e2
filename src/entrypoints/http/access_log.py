"""An access log that never writes query strings: webhook secrets travel in them."""

from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger


class RedactingAccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s%s %d %.1fms",
            request.remote,
            request.method,
            request.path,
            "?[redacted]" if request.query_string else "",
            response.status,
            time * 1000,
        )
