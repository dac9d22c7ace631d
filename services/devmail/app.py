"""The development mail server: a stand-in for the municipality's SMTP relay.

Like services/devidp for login and services/ss12000dev for the school register, it lets
`make run` and the tests send mail exactly as production does: the notifications service
speaks SMTP to it (SMTP_HOST, SMTP_PORT). It delivers nothing: every message it receives is
kept in memory (the newest MAX_MESSAGES), and a development-only HTTP endpoint shows them:

- `GET /messages?to=<address>`: the messages to that address (all without `to`), oldest first,
  each with its sender, recipients, subject, date, Message-ID and plain text body;
- `DELETE /messages?to=<address>`: forget them (a test that wants to count from zero).

A restart forgets everything. Configuration (deploy/stodspar.env): DEV_SMTP_PORT,
DEV_MAIL_HTTP_PORT, DEV_MAIL_HOST.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import deque
from dataclasses import asdict, dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from fastapi import FastAPI, Query

MAX_MESSAGES = 10_000


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    subject: str
    date: str
    message_id: str
    text: str
    received_at: str


class Inbox:
    """Every message received, newest last; thread-safe (SMTP and HTTP run in their own threads)."""

    def __init__(self, limit: int = MAX_MESSAGES) -> None:
        self._messages: deque[Received] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def put(self, sender: str, recipients: list[str], data: bytes) -> Received:
        parsed: EmailMessage = message_from_bytes(data, policy=policy.default)  # type: ignore[assignment]
        body = parsed.get_body(preferencelist=("plain",))
        received = Received(
            sender=sender, recipients=tuple(r.lower() for r in recipients), subject=str(parsed.get("Subject", "")),
            date=str(parsed.get("Date", "")), message_id=str(parsed.get("Message-ID", "")),
            text=body.get_content() if body is not None else "",
            received_at=dt.datetime.now(dt.timezone.utc).isoformat())
        with self._lock:
            self._messages.append(received)
        return received

    def to(self, address: str | None) -> list[Received]:
        with self._lock:
            return [m for m in self._messages if address is None or address.lower() in m.recipients]

    def forget(self, address: str | None) -> int:
        with self._lock:
            kept = deque((m for m in self._messages if address is not None and address.lower() not in m.recipients),
                         maxlen=self._messages.maxlen)
            gone = len(self._messages) - len(kept)
            self._messages = kept
        return gone


class Handler:
    """aiosmtpd's handler: every message accepted into the inbox."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        self.inbox.put(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def create_app(inbox: Inbox) -> FastAPI:
    app = FastAPI(title="Stödspår – utvecklingspost (development only)")

    @app.get("/health", include_in_schema=False)
    def health() -> dict:
        return {"status": "ok"}

    @app.get("/messages")
    def messages(to: str | None = Query(default=None, max_length=320)) -> dict:
        return {"messages": [asdict(m) for m in inbox.to(to)]}

    @app.delete("/messages")
    def forget(to: str | None = Query(default=None, max_length=320)) -> dict:
        return {"forgotten": inbox.forget(to)}

    return app
