"""Sending one email, and the rendering that produces it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from core.domain.catalog import Product, Tier
from core.domain.model import License


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    delivery_id: str
    attachments: tuple[Attachment, ...] = ()
    confirm_first: bool = False
    """An earlier attempt may have reached the provider: check before sending again."""


class SendOutcome(str, enum.Enum):
    SENT = "sent"
    TRANSIENT = "transient"
    AMBIGUOUS = "ambiguous"  # sent, but no answer: the provider may or may not have it
    PERMANENT_MESSAGE = "permanent_message"
    PERMANENT_RECIPIENT = "permanent_recipient"
    CONFIGURATION = "configuration"


@dataclass(frozen=True, slots=True, kw_only=True)
class SendResult:
    outcome: SendOutcome
    message_id: str | None = None
    detail: str | None = None


class Mailer(Protocol):
    async def send(self, email: Email) -> SendResult:
        """Hands the email to the provider. Never raises for the provider's answers: every
        outcome, including a timeout or a refused connection, is a SendResult. With
        `email.confirm_first`, a mailer that can ask its provider whether the message already
        arrived does so, and answers SENT without sending when it has."""

    def describe(self) -> str:
        """Which mailer and where, for the start-up banner and logs (no secrets)."""

    async def close(self) -> None:
        """Releases any connections kept between messages."""


class EmailRenderer(Protocol):
    def license_email(
        self, *, license: License, product: Product, tier: Tier, delivery_id: str
    ) -> Email: ...
