"""The development mailer: writes each email as an .eml file instead of sending it."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from adapters.mail.message import RecipientError, build_message
from ports.mailer import Email, SendOutcome, SendResult

log = logging.getLogger(__name__)


class FileMailer:
    def __init__(self, directory: str | Path, sender: str) -> None:
        self.directory = Path(directory)
        self._sender = sender

    def describe(self) -> str:
        return f"file → {self.directory}"

    async def close(self) -> None:
        pass

    async def send(self, email: Email) -> SendResult:
        try:
            message = build_message(email, self._sender, cte="8bit")
        except RecipientError as exc:
            return SendResult(outcome=SendOutcome.PERMANENT_RECIPIENT, detail=str(exc))
        except ValueError as exc:
            return SendResult(outcome=SendOutcome.PERMANENT_MESSAGE, detail=f"cannot build message: {exc}")
        try:
            path = await asyncio.to_thread(_write_new_file, self.directory, email.delivery_id, message.as_bytes())
        except OSError as exc:
            return SendResult(outcome=SendOutcome.TRANSIENT, detail=f"cannot write in {self.directory}: {exc.strerror}")
        log.info("email for delivery %s written to %s", email.delivery_id, path)
        return SendResult(outcome=SendOutcome.SENT, message_id=path.name)


def _write_new_file(directory: Path, delivery_id: str, data: bytes) -> Path:
    """Writes <delivery id>.eml, never over an earlier one: a second send of the same
    delivery shows up as <delivery id>.2.eml, as a second email would in an inbox."""
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{delivery_id}.{os.getpid()}.partial"
    with open(partial, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    for n in range(1, 1000):
        path = directory / (f"{delivery_id}.eml" if n == 1 else f"{delivery_id}.{n}.eml")
        try:
            os.link(partial, path)  # fails if the name is taken, even by another process
        except FileExistsError:
            continue
        os.unlink(partial)
        return path
    raise OSError(f"too many copies of {delivery_id}")
