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
from aiokafka.errors import KafkaError
from eventsourcing.persistence import Notification
from eventsourcing.persistence import PersistenceError as EventsourcingError
from opentelemetry import trace

from eventkit.config import RETRY_AT_MOST_SECONDS, Postgres
from eventkit.contracts import ContractViolation, contract_for, validate_message
from eventkit.producer import IdempotentProducer
from eventkit.schema import create_schema
from eventkit.store import EventMeta, ServiceApplication
from eventkit.telemetry import context_from_traceparent, current_traceparent, setup_tracing, tracer

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


class OutboxRelay:
    def __init__(
        self,
        app: ServiceApplication,
        topic: str,
        translate: Translator,
        *,
        name: str,
        batch_size: int = 1000,
        poll_interval: float = 0.05,
    ) -> None:
        self.app = app
        self.translate = translate
        self._publishing(topic, Postgres.for_database(app.database_variable), name=name, batch_size=batch_size,
                         poll_interval=poll_interval, traced_as="eventkit.relay")

    def _publishing(self, topic: str, postgres: Postgres, *, name: str, batch_size: int, poll_interval: float,
                    traced_as: str) -> None:
        """What every relay has: its topic, the database of its log and position, its producer."""
        self.topic = topic
        self.name = name
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self._postgres = postgres
        self._producer = IdempotentProducer(**THROUGHPUT)
        self._tracer = tracer(traced_as)

    # -- position -----------------------------------------------------------------
    def _connect(self) -> psycopg.Connection:
        return psycopg.connect(self._postgres.conninfo, autocommit=True)

    def position(self) -> int:
        with self._connect() as conn:
            create_schema(conn, POSITION_DDL)
            row = conn.execute(
                "SELECT notification_id FROM relay_position WHERE relay_name = %s", (self.name,)
            ).fetchone()
            return row[0] if row else 0

    def _save_position(self, notification_id: int) -> None:
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO relay_position (relay_name, notification_id) VALUES (%s, %s) "
                "ON CONFLICT (relay_name) DO UPDATE SET notification_id = EXCLUDED.notification_id",
                (self.name, notification_id),
            )

    # -- kafka ----------------------------------------------------------------------
    async def close(self) -> None:
        await self._producer.close()

    # -- publishing -------------------------------------------------------------------
    async def publish_batch(self) -> int:
        """Publish the next batch after the saved position; returns how many notifications
        were consumed from the log (published or skipped as internal)."""
        start = await asyncio.to_thread(self.position)
        notifications: Sequence[Notification] = await asyncio.to_thread(
            self.app.recorder.select_notifications, start + 1, self.batch_size
        )
        if not notifications:
            return 0
        await self._producer.ready()  # before anything is decoded: the broker may be away
        prefetch = getattr(self.app.mapper, "prefetch", None)  # per-pupil keys (eventkit.shredding)
        if prefetch is not None:
            await asyncio.to_thread(prefetch, notifications)
        deliveries = []
        for notification in notifications:
            domain_event, meta = self.app.mapper.decode(notification)
            public = self.translate(domain_event, meta)
            if public is None:
                continue
            message = to_message(domain_event, meta, public)
            validate_message(message)
            deliveries.append(await self._send(message, meta))
        if deliveries:
            await asyncio.gather(*deliveries)
        await asyncio.to_thread(self._save_position, notifications[-1].id)
        return len(notifications)

    async def _send(self, message: dict[str, Any], meta: EventMeta):
        parent = context_from_traceparent(meta.traceparent)
        with self._tracer.start_as_current_span(
            f"publish {message['event_type']}",
            context=parent,
            kind=trace.SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": self.topic,
                "messaging.message.id": message["event_id"],
                "stodspar.event_type": message["event_type"],
            },
        ):
            return await self._producer.send(self.topic, message, traceparent=current_traceparent())

    async def drain(self) -> int:
        """Publish until the log is exhausted (used by tests and benchmarks)."""
        total = 0
        while count := await self.publish_batch():
            total += count
        return total

    async def run_forever(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        backoff = 0.5
        while not stop.is_set():
            try:
                count = await self.publish_batch()
                backoff = 0.5
                if count == 0:
                    await _sleep_or_stop(stop, self.poll_interval)
            except ContractViolation:
                raise  # a programming error: publishing a wrong message must not go unnoticed
            except (KafkaError, OSError, psycopg.Error, EventsourcingError) as exc:
                # Broker or database away: nothing was marked published; retry the same batch.
                log.warning("relay %s waiting for infrastructure: %s", self.name, type(exc).__name__)
                if isinstance(exc, (KafkaError, OSError)):  # the database away leaves the producer as it is
                    await self.close()
                await _sleep_or_stop(stop, backoff)
                backoff = min(backoff * 2, RETRY_AT_MOST_SECONDS)
        await self.close()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except asyncio.TimeoutError:
        pass


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
