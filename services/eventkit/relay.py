"""The outbox relay: reads a service's notification log (the event store's own ordered
sequence of stored events) and publishes each public event to Kafka.

Guarantees:
- nothing is lost: the position (last published notification id) is saved in the service's
  own database only after Kafka has acknowledged the whole batch (acks=all); a relay, broker
  or database that goes away resumes from the saved position;
- ordering per case: messages are keyed by aggregate id, so one case's events stay on one
  partition in order; the idempotent producer prevents duplicates from its own retries;
- a restart in the middle of a batch can re-send that batch: consumers deduplicate by
  the deterministic `event_id` header (it is derived from aggregate id and version).
"""
from __future__ import annotations

import asyncio
import logging
import signal
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

import psycopg
from psycopg import sql
from aiokafka.errors import KafkaError
from eventsourcing.persistence import Notification
from eventsourcing.persistence import PersistenceError as EventsourcingError
from opentelemetry import trace

from eventkit.config import RETRY_AT_MOST_SECONDS, Postgres
from eventkit.contracts import ContractViolation, contract_for, validate_message
from eventkit.producer import IdempotentProducer
from eventkit.schema import create_schema
from eventkit.store import EventMeta, ServiceApplication
from eventkit.telemetry import context_from_traceparent, setup_tracing, traceparent_of, tracer

log = logging.getLogger("eventkit.relay")
EVENT_ID_NAMESPACE = uuid.UUID("5b0e3f8c-6c55-4a43-9d4f-0f9b7e0d2a11")


@dataclass(frozen=True)
class PublicEvent:
    """What a service decides to tell the world about one of its domain events."""

    event_type: str
    data: dict[str, Any]


Translator = Callable[[Any, EventMeta], PublicEvent | None]


def event_id(aggregate_id: uuid.UUID | str, version: int) -> str:
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{aggregate_id}:{version}"))


def to_message(domain_event: Any, meta: EventMeta, public: PublicEvent) -> dict[str, Any]:
    contract = contract_for(public.event_type)
    occurred: datetime = domain_event.timestamp
    return {
        "event_id": event_id(domain_event.originator_id, domain_event.originator_version),
        "event_type": public.event_type,
        "schema_version": contract.version,
        "occurred_at": occurred.astimezone(timezone.utc).isoformat(),
        "aggregate_id": str(domain_event.originator_id),
        "aggregate_version": domain_event.originator_version,
        "municipality": meta.municipality,
        "data": public.data,
    }


POSITION_DDL = """
CREATE TABLE IF NOT EXISTS relay_position (
    relay_name text PRIMARY KEY,
    notification_id bigint NOT NULL
)
"""

# The relays' own producer tuning, for throughput (a batch of up to batch_size notifications is
# sent at once); the delivery guarantees are eventkit.producer's.
THROUGHPUT = {"linger_ms": 5, "max_batch_size": 256 * 1024, "request_timeout_ms": 10_000}
# A relay that listens to its log's channel still looks this often (a notification can be lost
# when the listening connection breaks just then).
IDLE_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Batch:
    """What one read of the log gave: the position of the last entry read, how many entries
    were read, and the messages to publish of them with each one's traceparent (a service's
    internal events are read and skipped)."""

    last: int
    read: int
    messages: list[tuple[dict[str, Any], str | None]]


class OutboxRelay:
    """Publishes a service's event store. The log is read, decoded and turned into messages in
    a worker thread, while the previous batch waits for Kafka's acknowledgement (a pipeline of
    two); the position is saved once a batch is acknowledged, in order."""

    def __init__(
        self,
        app: ServiceApplication,
        topic: str,
        translate: Translator,
        *,
        name: str,
        batch_size: int = 2000,
        poll_interval: float = 0.05,
    ) -> None:
        self.app = app
        self.translate = translate
        self._publishing(topic, Postgres.for_database(app.database_variable), name=name, batch_size=batch_size,
                         poll_interval=poll_interval, traced_as="eventkit.relay",
                         channel=getattr(app.recorder, "channel_name", None))  # the event store NOTIFYs it

    def _publishing(self, topic: str, postgres: Postgres, *, name: str, batch_size: int, poll_interval: float,
                    traced_as: str, channel: str | None = None) -> None:
        """What every relay has: its topic, the database of its log and position, its producer,
        and the channel its log NOTIFYs at every commit (None: it only polls)."""
        self.topic = topic
        self.channel = channel
        self._listening = False
        self.name = name
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self._postgres = postgres
        self._producer = IdempotentProducer(**THROUGHPUT)
        self._tracer = tracer(traced_as)
        self._conn: psycopg.Connection | None = None  # the position's, kept between polls
        self._position: int | None = None  # as saved; read again after any failure

    # -- position -----------------------------------------------------------------
    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            conn = psycopg.connect(self._postgres.conninfo, autocommit=True)
            create_schema(conn, POSITION_DDL)
            self._conn = conn
        return self._conn

    def _forget_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def position(self) -> int:
        try:
            row = self._connection().execute(
                "SELECT notification_id FROM relay_position WHERE relay_name = %s", (self.name,)
            ).fetchone()
        except psycopg.Error:
            self._forget_connection()
            raise
        return row[0] if row else 0

    def _save_position(self, notification_id: int) -> None:
        try:
            self._connection().execute(
                "INSERT INTO relay_position (relay_name, notification_id) VALUES (%s, %s) "
                "ON CONFLICT (relay_name) DO UPDATE SET notification_id = EXCLUDED.notification_id",
                (self.name, notification_id),
            )
        except psycopg.Error:
            self._forget_connection()
            raise

    # -- kafka ----------------------------------------------------------------------
    async def close(self) -> None:
        await self._producer.close()

    # -- reading (in a worker thread) ---------------------------------------------------
    def _read(self, after: int) -> Batch:
        """The next batch of the event store's notification log after position `after`."""
        notifications: Sequence[Notification] = self.app.recorder.select_notifications(after + 1, self.batch_size)
        if not notifications:
            return Batch(after, 0, [])
        prefetch = getattr(self.app.mapper, "prefetch", None)  # per-pupil keys (eventkit.shredding)
        if prefetch is not None:
            prefetch(notifications)
        messages = []
        for notification in notifications:
            domain_event, meta = self.app.mapper.decode(notification)
            public = self.translate(domain_event, meta)
            if public is not None:
                messages.append(self._traced(to_message(domain_event, meta, public), meta.traceparent))
        return Batch(notifications[-1].id, len(notifications), messages)

    def _traced(self, message: dict[str, Any], traceparent: str | None) -> tuple[dict[str, Any], str | None]:
        """A valid message and its traceparent: the span of its publishing, a child of the
        request that stored the event (the consumer's span is in turn its child)."""
        validate_message(message)
        span = self._tracer.start_span(
            f"publish {message['event_type']}",
            context=context_from_traceparent(traceparent),
            kind=trace.SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": self.topic,
                "messaging.message.id": message["event_id"],
                "stodspar.event_type": message["event_type"],
            },
        )
        span.end()
        return message, traceparent_of(span)

    # -- publishing -------------------------------------------------------------------
    async def drain(self) -> int:
        """Publish until the log is exhausted and all of it acknowledged; returns how many
        entries of the log were consumed (published or skipped as internal)."""
        if self._position is None:
            self._position = await asyncio.to_thread(self.position)
        total, reading = 0, self._position
        in_flight: tuple[int, asyncio.Future | None] | None = None  # the previous batch
        try:
            while True:
                batch = await asyncio.to_thread(self._read, reading)
                acks = await self._producer.send_many(self.topic, batch.messages) if batch.messages else None
                if in_flight is not None:
                    await self._settle(*in_flight)
                    in_flight = None
                if not batch.read:
                    return total
                in_flight, reading, total = (batch.last, acks), batch.last, total + batch.read
                if batch.read < self.batch_size:  # the end of the log when it was read: no read to find that out
                    await self._settle(*in_flight)
                    return total
        except BaseException:
            self._position = None  # what was saved is the truth; anything after it is sent again
            if in_flight is not None and in_flight[1] is not None:
                in_flight[1].cancel()
            raise

    async def _settle(self, last: int, acks: asyncio.Future | None) -> None:
        if acks is not None:
            await acks  # acks=all: every in-sync replica has the batch
        await asyncio.to_thread(self._save_position, last)
        self._position = last

    async def _listen(self, woken: asyncio.Event, stop: asyncio.Event) -> None:
        """Set `woken` whenever the log's channel is notified (a commit of new entries); after a
        lost connection, connect again each second. While not listening, the relay polls."""
        while not stop.is_set():
            try:
                async with await psycopg.AsyncConnection.connect(self._postgres.conninfo, autocommit=True) as conn:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    self._listening = True
                    woken.set()  # what was committed before LISTEN took effect is read now
                    async for _ in conn.notifies():
                        woken.set()
            except psycopg.Error:
                pass
            finally:
                self._listening = False
            await _until(RETRY_AT_MOST_SECONDS, stop)

    async def run_forever(self, stop: asyncio.Event | None = None) -> None:
        """Publish until `stop`: at once when the log's channel is notified, else every
        poll_interval while not listening (every IDLE_POLL_SECONDS while listening, in case
        a notification was lost)."""
        stop = stop or asyncio.Event()
        woken = asyncio.Event()
        listener = asyncio.create_task(self._listen(woken, stop)) if self.channel else None
        try:
            await self._publish_until(stop, woken)
        finally:
            if listener is not None:
                listener.cancel()
                await asyncio.gather(listener, return_exceptions=True)

    async def _publish_until(self, stop: asyncio.Event, woken: asyncio.Event) -> None:
        backoff = 0.5
        while not stop.is_set():
            try:
                woken.clear()  # a commit from now on wakes the next wait
                await self.drain()  # to the end of the log as it was read: no second read to find that out
                backoff = 0.5
                await _until(IDLE_POLL_SECONDS if self._listening else self.poll_interval, stop, woken)
            except ContractViolation:
                raise  # a programming error: publishing a wrong message must not go unnoticed
            except (KafkaError, OSError, psycopg.Error, EventsourcingError) as exc:
                # Broker or database away: nothing was marked published; retry the same batch.
                log.warning("relay %s waiting for infrastructure: %s", self.name, type(exc).__name__)
                if isinstance(exc, (KafkaError, OSError)):  # the database away leaves the producer as it is
                    await self.close()
                await _until(backoff, stop)
                backoff = min(backoff * 2, RETRY_AT_MOST_SECONDS)
        await self.close()
        await asyncio.to_thread(self._forget_connection)


async def _until(seconds: float, *events: asyncio.Event) -> None:
    """Wait until one of `events` is set, or `seconds` have passed."""
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    _, pending = await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for wait in pending:
        wait.cancel()


def run_relay_process(build_relay: Callable[[], OutboxRelay], service_name: str, *more: Callable[[], OutboxRelay]) -> None:
    """The body of a service's relay process: run until SIGINT or SIGTERM (`more`: further
    relays of the same service in the same process, e.g. its access log)."""

    async def main() -> None:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        setup_tracing(f"{service_name}-relay")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await asyncio.gather(*(build().run_forever(stop) for build in (build_relay, *more)))

    asyncio.run(main())
