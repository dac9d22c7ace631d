"""The relay publishes a record batch per partition at a time, reading the next batch while the
last one waits for Kafka: each case's events still arrive once, complete and in order, on the
partition its key gives, and the saved position is where the log ended."""
from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.partitioner import DefaultPartitioner

from cases.public_events import translate
from eventkit.config import kafka_bootstrap, prefixed
from eventkit.relay import OutboxRelay
from tests.conftest import TEACHER
from tests.support.infrastructure import decoded, from_now_on, messages_after, query
from tests.support.pupils import register_pupil

pytestmark = pytest.mark.integration
CASES, ADAPTATIONS, PARTITIONS = 6, 5, 3


@pytest.fixture
def topic_of_three_partitions():
    name = prefixed(f"relay-batches-{uuid.uuid4().hex[:8]}")

    async def admin(action):
        client = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap())
        await client.start()
        try:
            await action(client)
        finally:
            await client.close()

    asyncio.run(admin(lambda c: c.create_topics([NewTopic(name, PARTITIONS, 1)])))
    yield name
    asyncio.run(admin(lambda c: c.delete_topics([name])))


def test_each_case_arrives_once_in_order_on_its_partition_across_many_small_batches(stack, topic_of_three_partitions):
    # `stack`: the databases are set up before this process's cases application is built (it
    # is one per process, and remembers the event store's types).
    from cases.bootstrap import application

    app = application()
    name = f"test-batches-{uuid.uuid4().hex[:8]}"
    relay = OutboxRelay(app, topic_of_three_partitions, translate, name=name, batch_size=7)
    from_now_on(relay)  # this test's events only
    cases = [str(app.open_case(TEACHER, school_unit="0180-ENG", pupil=register_pupil()).case_id) for _ in range(CASES)]
    for n in range(ADAPTATIONS):  # interleaved: every batch holds several cases
        for case_id in cases:
            app.record_extra_adaptation(TEACHER, uuid.UUID(case_id), f"Anpassning {n + 1}")
    [(end,)] = query("CASES_DB", "SELECT max(notification_id) FROM cases_events")

    async def drain() -> int:
        try:
            return await relay.drain()
        finally:
            await relay.close()

    assert asyncio.run(drain()) >= CASES * (2 + ADAPTATIONS)  # each case: its index, opening, adaptations
    ours = set(cases)
    records = messages_after(topic_of_three_partitions, {}, lambda r: r.key.decode() in ours,
                             count=CASES * (1 + ADAPTATIONS))
    versions, partitions = defaultdict(list), defaultdict(set)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        message = decoded(record)
        versions[message["aggregate_id"]].append(message["aggregate_version"])
        partitions[message["aggregate_id"]].add(record.partition)
    assert set(versions) == ours
    for case_id in cases:
        assert versions[case_id] == list(range(1, 2 + ADAPTATIONS)), "once each, in the order stored"
        assert partitions[case_id] == {DefaultPartitioner()(case_id.encode(), list(range(PARTITIONS)), [])}
    [(saved,)] = query("CASES_DB", "SELECT notification_id FROM relay_position WHERE relay_name = %s", (name,))
    assert saved >= end, "the position is saved once the last batch is acknowledged"
