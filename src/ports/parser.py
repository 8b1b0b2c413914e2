"""Reading a platform's raw webhook body."""

from __future__ import annotations

from typing import Protocol

from core.domain.notices import Notice, SaleNotice


class NoticeParser(Protocol):
    def parse(self, body: bytes, content_type: str) -> Notice:
        """The notice in `body`; raises core.domain.errors.MalformedEvent naming the field
        that is missing or wrong."""


class NoticeEncoder(Protocol):
    def encode(self, notice: SaleNotice) -> tuple[bytes, str]:
        """A body (and its content type) in the platform's webhook format that the same
        platform's parser reads back as `notice`: how reconciliation writes the events it
        finds, so they take the webhook's own path."""
