"""Log lines for each email the delivery worker handles, with the ids that link them to the
webhook that caused them: `license_id` and `delivery_id` (logs.py). The renderer is the
first step that knows both; the mailer's answer is logged with them."""

from __future__ import annotations

import logging
from typing import Any

from entrypoints.logs import delivery_id, license_id
from core.domain.catalog import Product, Tier
from core.domain.model import License
from ports.mailer import Email, EmailRenderer, Mailer, SendOutcome, SendResult

log = logging.getLogger("licensemint.delivery")


class LoggedEmailRenderer:
    """Puts the license and delivery ids in the logging context of the send in hand (each
    delivery is sent in its own task, so the ids do not mix)."""

    def __init__(self, inner: EmailRenderer) -> None:
        self._inner = inner

    def license_email(self, *, license: License, product: Product, tier: Tier, delivery_id: str) -> Email:
        _set_ids(license.id, delivery_id)
        return self._inner.license_email(license=license, product=product, tier=tier, delivery_id=delivery_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class LoggedMailer:
    def __init__(self, inner: Mailer) -> None:
        self._inner = inner

    async def send(self, email: Email) -> SendResult:
        result = await self._inner.send(email)
        level = logging.INFO if result.outcome is SendOutcome.SENT else logging.WARNING
        log.log(
            level, "delivery %s: %s%s", email.delivery_id, result.outcome.value,
            "" if result.outcome is SendOutcome.SENT else f": {result.detail}",
            extra={"delivery_id": email.delivery_id, "outcome": result.outcome.value},
        )
        return result

    def describe(self) -> str:
        return self._inner.describe()

    async def close(self) -> None:
        await self._inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _set_ids(license: str, delivery: str) -> None:
    license_id.set(license)
    delivery_id.set(delivery)
