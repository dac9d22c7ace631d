"""The county level as a faust-streaming worker: `faust -A projections.county.app worker`.

Two agents:
- `republish`: every DeviationSentToBus on stodspar.deviations.v1 → one BusDeviation on
  bus.deviations.v1 (acks=all, awaited before the offset is committed);
- `project`: bus.deviations.v1 → the county read model (idempotent per event_id).
Neither skips a message: on failure it waits and retries the same one.
"""
from __future__ import annotations

import asyncio
import json
import logging

import faust
import psycopg
from aiokafka import AIOKafkaProducer
from opentelemetry import trace

from eventkit.config import Postgres, kafka_bootstrap
from eventkit.contracts import validate_message
from eventkit.streams import headers_of, projection_app, raw_topic
from eventkit.telemetry import context_from_traceparent, setup_tracing, tracer
from projections.county import readmodel
from projections.county.republish import BUS_TOPIC, MUNICIPAL_TOPIC, SENT_EVENT, bus_message

log = logging.getLogger("projections.county")
setup_tracing("county-projection")
_tracer = tracer("projections.county")

app = projection_app("stodspar-county", "COUNTY_FAUST_WEB_PORT", 6067)
municipal_topic = raw_topic(app, MUNICIPAL_TOPIC)
bus_topic = raw_topic(app, BUS_TOPIC)



class Republisher:
    def __init__(self) -> None:
        self._producer: AIOKafkaProducer | None = None

    async def _ready(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap(), enable_idempotence=True, acks="all")
            await producer.start()
            self._producer = producer
        return self._producer

    async def handle(self, value: bytes, headers: dict[str, bytes]) -> None:
        message = json.loads(value)
        if message.get("event_type") != SENT_EVENT:
            return
        outgoing = bus_message(message)
        validate_message(outgoing)
        traceparent = (headers.get("traceparent") or b"").decode() or None
        with _tracer.start_as_current_span(
            "publish BusDeviation", context=context_from_traceparent(traceparent), kind=trace.SpanKind.PRODUCER,
            attributes={"messaging.destination.name": BUS_TOPIC, "messaging.message.id": outgoing["event_id"]},
        ):
            producer = await self._ready()
            out_headers = [(k, outgoing[k].encode()) for k in ("event_type", "schema_version", "event_id", "municipality")]
            if traceparent:
                out_headers.append(("traceparent", traceparent.encode()))
            await (await producer.send(BUS_TOPIC, key=outgoing["aggregate_id"].encode(),
                                       value=json.dumps(outgoing, ensure_ascii=False).encode(), headers=out_headers))

    async def reset(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            await producer.stop()


class Projector:
    def __init__(self) -> None:
        self._conn: psycopg.AsyncConnection | None = None

    async def handle(self, value: bytes, headers: dict[str, bytes]) -> None:
        message = json.loads(value)
        traceparent = (headers.get("traceparent") or b"").decode() or None
        with _tracer.start_as_current_span(
            f"project {message.get('event_type')}", context=context_from_traceparent(traceparent),
            kind=trace.SpanKind.CONSUMER, attributes={"messaging.message.id": message.get("event_id", ""), "stodspar.view": "county"},
        ):
            if self._conn is None or self._conn.closed:
                self._conn = await psycopg.AsyncConnection.connect(Postgres.for_database("COUNTY_DB").conninfo, autocommit=True)
                await readmodel.create_schema_async(self._conn)
            await readmodel.apply(self._conn, message)

    async def reset(self) -> None:
        if self._conn is not None:
            await self._conn.close()
        self._conn = None


republisher = Republisher()
projector = Projector()


async def _until_done(worker, event: faust.types.EventT, what: str) -> None:
    backoff = 0.2
    while True:
        try:
            await worker.handle(event.value, headers_of(event))
            return
        except Exception as exc:  # broker or database away, or a bug: never skip the message
            log.warning("county %s retrying offset %s: %s", what, event.message.offset, type(exc).__name__)
            await worker.reset()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)


@app.agent(municipal_topic)
async def republish(stream: faust.StreamT) -> None:
    async for event in stream.events():
        await _until_done(republisher, event, "republish")


@app.agent(bus_topic)
async def project(stream: faust.StreamT) -> None:
    async for event in stream.events():
        await _until_done(projector, event, "projection")
