"""One projection runner for every read model (ADR 0013, ADR 0025): a view declares only what is
its own – its database, its topics, its tables (DDL) and one apply function per event type –
as a `Projection`; everything else lives here once:

- idempotent apply: each message is applied in one transaction together with its row in
  `processed_event` (keyed by the deterministic event_id); a second delivery finds the row and
  changes nothing. With offsets committed only after that transaction, at-least-once delivery
  from Kafka gives an exactly-once view. A view whose rows are keyed by the message's own id
  (the access log, by entry id) needs no record and declares `records_processed=False`;
- the runner (`ProjectionRunner`): connect, create the schema, apply a batch of messages in
  one transaction, its statements pipelined (`batch`: one commit and few round trips for all, so
  a backlog is caught up in seconds, #11), each message in
  a span that continues the trace of the command that caused it (eventkit.telemetry);
- `until_done`: retry with back-off (at most RETRY_AT_MOST_SECONDS between tries) while
  PostgreSQL or the broker is away, never skipping a message.

The live worker (eventkit.streams.run_projection) runs `Projection.apply` and the rebuild
(projections.rebuild) `Projection.apply_all`, a fetch at a time: the same handlers.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable, Mapping

import psycopg
from opentelemetry import trace

from eventkit import schema
from eventkit.config import RETRY_AT_MOST_SECONDS, Postgres
from eventkit.telemetry import context_from_traceparent, tracer

# Returns False when the message changed nothing (a duplicate by the view's own key); None: applied.
Handler = Callable[[psycopg.AsyncConnection, dict[str, Any]], Awaitable[bool | None]]
Messages = list[tuple[bytes, dict[str, bytes]]]

PROCESSED_EVENT_DDL = """
CREATE TABLE IF NOT EXISTS processed_event (
    event_id uuid PRIMARY KEY,
    processed_at timestamptz NOT NULL DEFAULT now()
);
"""
FIRST_RETRY_SECONDS = 0.2


@dataclass(frozen=True)
class Projection:
    name: str  # the view's name: `make rebuild VIEW=`, the spans' stodspar.view, the log
    database: str  # the variable of deploy/stodspar.env naming the view's database
    topics: tuple[str, ...]  # what the view is built (and rebuilt) from
    ddl: str
    handlers: Mapping[str, Handler]
    # True: a message of another event type is passed by, neither applied nor recorded (its
    # topic carries other events); False: it is recorded as processed and changes nothing else.
    only_handled: bool = False
    records_processed: bool = True
    kept: tuple[str, ...] = ()  # tables not built from the topics: a rebuild keeps the live ones
    after_switch: Callable[[psycopg.AsyncConnection], Awaitable[None]] | None = None  # after a rebuild

    @property
    def full_ddl(self) -> str:
        """The view's tables and, when it keeps one, its record of processed events."""
        return self.ddl + (PROCESSED_EVENT_DDL if self.records_processed else "")

    @property
    def conninfo(self) -> str:
        return Postgres.for_database(self.database).conninfo

    async def create_schema(self, conn: psycopg.AsyncConnection) -> None:
        await schema.create_schema_async(conn, self.full_ddl)

    def create_schema_sync(self, conn: psycopg.Connection) -> None:
        schema.create_schema(conn, self.full_ddl)

    async def apply(self, conn: psycopg.AsyncConnection, message: dict[str, Any]) -> bool:
        """Apply one public event; False when it had been applied before (or is not the view's).
        In a transaction of its own, or in the caller's (a batch, ProjectionRunner.handle_many:
        no savepoint, so two round trips less per message; a failure undoes the whole batch,
        which is tried again)."""
        if self._passed_by(message):
            return False
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            return await self._apply(conn, message)
        async with conn.transaction():
            return await self._apply(conn, message)

    async def apply_all(self, conn: psycopg.AsyncConnection, messages: list[dict[str, Any]]) -> int:
        """Apply many messages in order, as `apply` would one after the other, in the caller's
        transaction (a rebuild's fetch): their `processed_event` rows are inserted by one
        statement first, and only the messages it took go to their handlers (a message twice
        among them: the first). Returns how many were applied."""
        wanted = [m for m in messages if not self._passed_by(m)]
        if not self.records_processed:
            return sum([await self._handle(conn, m) for m in wanted])
        cur = await conn.execute("INSERT INTO processed_event (event_id) SELECT DISTINCT unnest(%s::uuid[]) "
                                 "ON CONFLICT DO NOTHING RETURNING event_id", ([m["event_id"] for m in wanted],))
        fresh = {str(event_id) for (event_id,) in await cur.fetchall()}
        applied = 0
        for message in wanted:
            if message["event_id"] in fresh:
                fresh.discard(message["event_id"])
                applied += await self._handle(conn, message)
        return applied

    def _passed_by(self, message: dict[str, Any]) -> bool:
        """Another event type on a topic the view shares, neither applied nor recorded."""
        return self.only_handled and message.get("event_type", "") not in self.handlers

    async def _apply(self, conn: psycopg.AsyncConnection, message: dict[str, Any]) -> bool:
        if self.records_processed:
            # RETURNING, not rowcount: see `batch`.
            cur = await conn.execute("INSERT INTO processed_event (event_id) VALUES (%s) ON CONFLICT DO NOTHING "
                                     "RETURNING event_id", (message["event_id"],))
            if await cur.fetchone() is None:
                return False
        return await self._handle(conn, message)

    async def _handle(self, conn: psycopg.AsyncConnection, message: dict[str, Any]) -> bool:
        """The handler's part: False when it says the message changed nothing."""
        handler = self.handlers.get(message.get("event_type", ""))
        return handler is None or await handler(conn, message) is not False


@contextlib.asynccontextmanager
async def batch(conn: psycopg.AsyncConnection) -> AsyncIterator[None]:
    """Many messages applied in one transaction, their statements pipelined: sent without
    waiting for each answer, so a batch costs few round trips (the live worker's and the
    rebuild's). A handler therefore learns what a statement did from its rows (RETURNING and
    fetch), never from `rowcount`, which a pipeline leaves unknown."""
    async with conn.pipeline(), conn.transaction():
        yield


class ProjectionRunner:
    """A projection's worker side: one connection (its own per agent, as two agents'
    transactions must not share one), opened and given the view's tables when first needed,
    dropped by `reset()` after a failure so the next try connects anew."""

    def __init__(self, projection: Projection) -> None:
        self.projection = projection
        self._conn: psycopg.AsyncConnection | None = None
        self._tracer = tracer(f"projections.{projection.name}")

    @property
    def connected(self) -> bool:
        return self._conn is not None

    async def connection(self) -> psycopg.AsyncConnection:
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(self.projection.conninfo, autocommit=True)
            await self.projection.create_schema(self._conn)
        return self._conn

    async def handle(self, value: bytes, headers: dict[str, bytes]) -> bool:
        return (await self.handle_many([(value, headers)]))[0]

    async def handle_many(self, messages: Messages) -> list[bool]:
        """Apply messages in order in one transaction, each in its own span. Whether each was
        applied (False: it had been before). On failure nothing of the batch stands."""
        conn = await self.connection()
        async with batch(conn):
            return [await self._apply(conn, value, headers) for value, headers in messages]

    async def _apply(self, conn: psycopg.AsyncConnection, value: bytes, headers: dict[str, bytes]) -> bool:
        message: dict[str, Any] = json.loads(value)
        traceparent = (headers.get("traceparent") or b"").decode() or None
        with self._tracer.start_as_current_span(
            f"project {message.get('event_type')}",
            context=context_from_traceparent(traceparent),
            kind=trace.SpanKind.CONSUMER,
            attributes={"messaging.message.id": message.get("event_id", ""), "stodspar.view": self.projection.name},
        ) as span:
            applied = await self.projection.apply(conn, message)
            span.set_attribute("stodspar.duplicate", not applied)
            return applied

    async def reset(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()

    close = reset


async def until_done(attempt: Callable[[], Awaitable[Any]], reset: Callable[[], Awaitable[None]], *,
                     log: logging.Logger, what: str) -> None:
    """`attempt()` until it succeeds: on any failure (PostgreSQL or the broker away, or a bug)
    `reset()` drops what may be broken, and the same attempt is made again after a doubling
    wait of at most RETRY_AT_MOST_SECONDS. The message is never skipped: its offset is not
    committed meanwhile, so the consumer pauses instead."""
    backoff = FIRST_RETRY_SECONDS
    while True:
        try:
            await attempt()
            return
        except Exception as exc:
            log.warning("%s retrying: %s", what, type(exc).__name__)
            await reset()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, RETRY_AT_MOST_SECONDS)
