"""Direct access to the real infrastructure, for what a test must observe: the read model
in PostgreSQL and the messages on a Kafka topic."""
from __future__ import annotations

import asyncio
import json
import subprocess
import time
from typing import Any, Callable

import psycopg
from psycopg import sql
from aiokafka import AIOKafkaConsumer, TopicPartition

from eventkit.config import Postgres, kafka_bootstrap
from tests.support.environment import ROOT


def reset_database(base_variable: str) -> None:
    """Empty a test database, creating it if missing (the prefix ends in test_, so it is
    never a database that `make run` uses)."""
    settings = Postgres.for_database(base_variable)
    assert "test_" in settings.dbname, settings.dbname
    server = Postgres(settings.host, settings.port, settings.user, settings.password, "postgres")
    with psycopg.connect(server.conninfo, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (settings.dbname,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings.dbname)))
    with psycopg.connect(settings.conninfo, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def query(base_variable: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(Postgres.for_database(base_variable).conninfo) as conn:
        return conn.execute(sql, params).fetchall()


def from_now_on(relay) -> None:
    """A new relay of the cases store (eventkit.relay.OutboxRelay) publishes only what is stored
    from now on: its position is set to the log's end."""
    assert relay.position() == 0, "a new relay"  # and its table is there now
    [(end,)] = query("CASES_DB", "SELECT coalesce(max(notification_id), 0) FROM cases_events")
    query("CASES_DB", "INSERT INTO relay_position (relay_name, notification_id) VALUES (%s, %s) RETURNING 1",
          (relay.name, end))


def eventually(check: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
    """Wait until `check` returns something truthy; the views are eventually consistent."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout}s: {check.__doc__ or check}")
        time.sleep(interval)


def kafka_script(action: str) -> None:
    subprocess.run(["bash", str(ROOT / "deploy" / "kafka.sh"), action], check=True, cwd=ROOT)


def postgres_script(action: str) -> None:
    subprocess.run(["bash", str(ROOT / "deploy" / "postgres.sh"), action], check=True, cwd=ROOT)


async def _started_consumer(topic: str) -> tuple[AIOKafkaConsumer, list[TopicPartition]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap(), enable_auto_commit=False)
    await consumer.start()
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        await consumer._client.force_metadata_update()
        partitions = consumer.partitions_for_topic(topic) or set()
    assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(assigned)
    return consumer, assigned


async def _end_of(topic: str) -> dict[int, int]:
    consumer, partitions = await _started_consumer(topic)
    try:
        return {tp.partition: offset for tp, offset in (await consumer.end_offsets(partitions)).items()}
    finally:
        await consumer.stop()


def end_of(topic: str) -> dict[int, int]:
    """Where each partition of `topic` ends now: take it before the action under test."""
    return asyncio.run(_end_of(topic))


async def _messages_after(topic: str, mark: dict[int, int], wanted: Callable[[Any], bool], count: int, timeout: float):
    consumer, partitions = await _started_consumer(topic)
    try:
        for tp in partitions:
            consumer.seek(tp, mark.get(tp.partition, 0))
        found: list[Any] = []
        deadline = time.monotonic() + timeout
        while len(found) < count and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                found.extend(r for r in records if wanted(r))
        return found
    finally:
        await consumer.stop()


def messages_after(topic: str, mark: dict[int, int], wanted: Callable[[Any], bool], count: int = 1, timeout: float = 20.0):
    """Records on `topic` after `mark` (from `end_of`) for which `wanted(record)` holds."""
    return asyncio.run(_messages_after(topic, mark, wanted, count, timeout))


def decoded(record) -> dict[str, Any]:
    return json.loads(record.value)


async def _skip_to_end(group: str, topic: str) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap(), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        from aiokafka.structs import OffsetAndMetadata

        ends = await consumer.end_offsets(partitions)
        await consumer.commit({tp: OffsetAndMetadata(offset, "") for tp, offset in ends.items()})
    finally:
        await consumer.stop()


def skip_to_end(group: str, topic: str) -> None:
    """Start a consumer group at the end of a shared topic. Used after a read model was
    emptied: the events before belong to other test sessions, whose cases are not ours."""
    asyncio.run(_skip_to_end(group, topic))

