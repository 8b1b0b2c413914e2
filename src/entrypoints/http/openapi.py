"""GET /openapi.json: the OpenAPI 3.1 document of the whole HTTP surface (openapi.yaml)."""

from __future__ import annotations

from typing import Any

from functools import cache
from pathlib import Path

import yaml
from aiohttp import web

SOURCE = Path(__file__).with_name("openapi.yaml")


@cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    return loaded


async def document(request: web.Request) -> web.Response:
    return web.json_response(spec())
