"""Direct access to the real infrastructure, for what a test must observe: the read model
in PostgreSQL and the messages on a Kafka topic."""
from __future__ import annotations

import asyncio
import json
import subprocess
import time
from typing import Any, Callable

import psycopg
from aiokafka import AIOKafkaConsumer, TopicPartition

from eventkit.config import Postgres, kafka_bootstrap
from tests.support.environment import ROOT


def reset_database(base_variable: str) -> None:
    """Empty a test database (the test_ prefix guarantees it is never the real one)."""
    settings = Postgres.for_database(base_variable)
    assert settings.dbname.startswith("test_"), settings.dbname
    with psycopg.connect(settings.conninfo, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def query(base_variable: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(Postgres.for_database(base_variable).conninfo) as conn:
        return conn.execute(sql, params).fetchall()


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


async def _messages_since(topic: str, since_ms: int, wanted: Callable[[Any], bool], count: int, timeout: float):
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap(), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or [])]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        offsets = await consumer.offsets_for_times({tp: since_ms for tp in partitions})
        ends = await consumer.end_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, offsets[tp].offset if offsets[tp] else ends[tp])
        found: list[Any] = []
        deadline = time.monotonic() + timeout
        while len(found) < count and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                found.extend(r for r in records if wanted(r))
        return found
    finally:
        await consumer.stop()


def messages_since(topic: str, since_ms: int, wanted: Callable[[Any], bool], count: int = 1, timeout: float = 20.0):
    """Kafka records on `topic` produced after `since_ms` for which `wanted(record)` holds."""
    return asyncio.run(_messages_since(topic, since_ms, wanted, count, timeout))


def decoded(record) -> dict[str, Any]:
    return json.loads(record.value)
