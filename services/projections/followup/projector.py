"""Applies messages from the cases topic to the follow-up read model, inside a span that
continues the trace of the command that caused the event."""
from __future__ import annotations

import json
from typing import Any

import psycopg
from opentelemetry import trace

from eventkit.config import Postgres
from eventkit.telemetry import context_from_traceparent, tracer
from projections.followup import readmodel


class FollowupProjector:
    def __init__(self) -> None:
        self._postgres = Postgres.for_database("FOLLOWUP_DB")
        self._conn: psycopg.AsyncConnection | None = None
        self._tracer = tracer("projections.followup")

    async def _connection(self) -> psycopg.AsyncConnection:
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(self._postgres.conninfo, autocommit=True)
            await readmodel.create_schema_async(self._conn)
        return self._conn

    async def handle(self, value: bytes, headers: dict[str, bytes]) -> bool:
        return (await self.handle_many([(value, headers)]))[0]

    async def handle_many(self, messages: list[tuple[bytes, dict[str, bytes]]]) -> list[bool]:
        """Apply messages in order in one transaction (one commit for all: a backlog after the
        broker or the worker was away is caught up in seconds, #11), each in its own span.
        Whether each was applied (False: it had been before)."""
        try:
            conn = await self._connection()
            async with conn.transaction():
                return [await self._apply(conn, value, headers) for value, headers in messages]
        except psycopg.OperationalError:
            # Database away: drop the connection; the caller does not ack, so it is retried.
            self._conn = None
            raise

    async def _apply(self, conn: psycopg.AsyncConnection, value: bytes, headers: dict[str, bytes]) -> bool:
        message: dict[str, Any] = json.loads(value)
        traceparent = (headers.get("traceparent") or b"").decode() or None
        with self._tracer.start_as_current_span(
            f"project {message['event_type']}",
            context=context_from_traceparent(traceparent),
            kind=trace.SpanKind.CONSUMER,
            attributes={"messaging.message.id": message["event_id"], "stodspar.view": "followup"},
        ) as span:
            applied = await readmodel.apply(conn, message)
            span.set_attribute("stodspar.duplicate", not applied)
            return applied

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
