"""The one way a process of ours starts a Kafka producer: idempotent (enable_idempotence, so
its own retries never duplicate a message) and acks=all (a send is awaited until every in-sync
replica has it, so nothing acknowledged is lost when a broker goes away).

Used by the outbox relay (eventkit.relay, with its own throughput tuning), the overdue timer
(projections.followup.overdue) and the county republisher (projections.county.app). A start
that fails is stopped again (no half-started client is left behind) and raised; the caller's
loop retries with back-off (eventkit.projection.until_done, the relay's run_forever, the
timer's next tick) until the broker answers, and a producer that failed is dropped with
`close()` so that the next attempt starts a fresh one.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from eventkit.config import kafka_bootstrap

# Carried as Kafka headers besides the JSON value.
ENVELOPE_HEADERS = ("event_type", "schema_version", "event_id", "municipality")


class IdempotentProducer:
    """A producer started when first needed and kept until `close()`; `tuning`: further
    AIOKafkaProducer settings (the relay's batching), never the delivery guarantees."""

    def __init__(self, **tuning: Any) -> None:
        self._tuning = tuning
        self._producer: AIOKafkaProducer | None = None

    @property
    def started(self) -> bool:
        return self._producer is not None

    async def ready(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap(), enable_idempotence=True, acks="all",
                                        **self._tuning)
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def send(self, topic: str, message: dict[str, Any], *, traceparent: str | None = None) -> asyncio.Future:
        """Send one envelope (eventkit.contracts), keyed by its aggregate id (one aggregate's
        messages stay in order on one partition), with the envelope's ids as headers for
        consumers that route without parsing, and the trace's traceparent. Returns the delivery
        to await: Kafka has it (acks=all) when that is done."""
        producer = await self.ready()
        return await producer.send(topic, key=message["aggregate_id"].encode(),
                                   value=json.dumps(message, ensure_ascii=False).encode(),
                                   headers=_headers(message, traceparent))

    async def send_many(self, topic: str, messages: list[tuple[dict[str, Any], str | None]]) -> asyncio.Future:
        """Send envelopes with their traceparents in order, as `send` would, a record batch per
        partition at a time (the relay's thousands a second: no coroutine per message). Returns
        one delivery for all of them. A partition's batches are queued in order, and the
        idempotent producer numbers them when they leave, so per-aggregate order holds."""
        producer = await self.ready()
        partitions = sorted(await producer.partitions_for(topic))
        filling: dict[int, Any] = {}
        deliveries: list[asyncio.Future] = []
        for message, traceparent in messages:
            key = message["aggregate_id"].encode()
            record = {"timestamp": None, "key": key, "headers": _headers(message, traceparent),
                      "value": json.dumps(message, ensure_ascii=False).encode()}
            partition = _PARTITIONER(key, partitions, partitions)
            batch = filling.get(partition)
            if batch is None or batch.append(**record) is None:
                if batch is not None:  # full: queue it and start the partition's next
                    deliveries.append(await producer.send_batch(batch, topic, partition=partition))
                batch = filling[partition] = producer.create_batch()
                if batch.append(**record) is None:
                    raise ValueError(f"{message['event_type']} {message['event_id']} is larger than a record batch")
        for partition, batch in filling.items():
            deliveries.append(await producer.send_batch(batch, topic, partition=partition))
        return asyncio.gather(*deliveries)

    async def close(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            await producer.stop()


# Kafka's default: the murmur2 hash of the key, as `send` partitions (and the Java clients do).
_PARTITIONER = DefaultPartitioner()


def _headers(message: dict[str, Any], traceparent: str | None) -> list[tuple[str, bytes]]:
    headers = [(name, message[name].encode()) for name in ENVELOPE_HEADERS]
    if traceparent:
        headers.append(("traceparent", traceparent.encode()))
    return headers
