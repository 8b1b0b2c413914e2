"""The development mailer: writes each email as an .eml file instead of sending it."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from adapters.mail.message import build_message
from ports.mailer import Email, SendOutcome, SendResult

log = logging.getLogger(__name__)


class FileMailer:
    def __init__(self, directory: str | Path, sender: str) -> None:
        self._dir = Path(directory)
        self._sender = sender

    async def send(self, email: Email) -> SendResult:
        message = build_message(email, self._sender, cte="8bit")
        path = self._dir / f"{email.delivery_id}.eml"
        try:
            await asyncio.to_thread(_write_atomically, path, message.as_bytes())
        except OSError as exc:
            return SendResult(outcome=SendOutcome.TRANSIENT, detail=f"cannot write {path}: {exc.strerror}")
        log.info("email for delivery %s written to %s", email.delivery_id, path)
        return SendResult(outcome=SendOutcome.SENT, message_id=path.name)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".eml.partial")
    with open(partial, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, path)
