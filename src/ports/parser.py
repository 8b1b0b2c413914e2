"""Reading a platform's raw webhook body."""

from __future__ import annotations

from typing import Protocol

from core.domain.notices import Notice


class NoticeParser(Protocol):
    def parse(self, body: bytes, content_type: str) -> Notice:
        """The notice in `body`; raises core.domain.errors.MalformedEvent naming the field
        that is missing or wrong."""
