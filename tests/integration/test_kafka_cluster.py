"""On the three-node cluster of `make run-cluster` (replication 3, min.insync.replicas 2), one
node killed with SIGKILL while cases are being stored and relayed: the relay goes on without a
restart, nothing it was told is stored in Kafka is lost, and the follow-up view built from the
topic counts every case's adaptations exactly once."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
import time
import uuid

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from psycopg import sql

from cases.public_events import translate
from eventkit.config import prefixed
from eventkit.projection import batch
from eventkit.relay import OutboxRelay
from tests.conftest import TEACHER
from tests.support.environment import ROOT
from tests.support.infrastructure import from_now_on, eventually, query
from tests.support.pupils import register_pupil

pytestmark = pytest.mark.integration
CASES, ADAPTATIONS, KILLED = 24, 3, 2
CLUSTER = ROOT / "deploy" / "kafka-cluster.sh"
SCHEMA = "test_cluster_view"


@pytest.fixture
def cluster(stack, monkeypatch):
    """`stack`: the databases are set up before this process's cases application is built (it is
    one per process, and remembers the event store's types)."""
    subprocess.run([str(CLUSTER), "start"], check=True, timeout=180)
    servers = os.environ["KAFKA_CLUSTER_BOOTSTRAP_SERVERS"]
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", servers)  # what the relay's producer connects to
    name = prefixed(f"cluster-cases-{uuid.uuid4().hex[:8]}")

    async def create() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=servers)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(name, 3, 3)])  # min.insync.replicas 2: the brokers' setting
        finally:
            await admin.close()

    asyncio.run(create())
    try:
        yield servers, name
    finally:
        subprocess.run([str(CLUSTER), "stop"], check=False, timeout=180)


def _relay_in_background(relay: OutboxRelay) -> tuple[threading.Thread, threading.Event]:
    stopping = threading.Event()

    def run() -> None:
        async def until_told() -> None:
            stop = asyncio.Event()
            task = asyncio.create_task(relay.run_forever(stop))
            while not stopping.is_set():
                await asyncio.sleep(0.1)
            stop.set()
            await task

        asyncio.run(until_told())

    thread = threading.Thread(target=run)
    thread.start()
    return thread, stopping


async def _view_from(servers: str, topic: str) -> dict[str, int]:
    """The follow-up view built from everything on the topic, in a schema of its own."""
    from projections.followup.readmodel import PROJECTION

    async with await psycopg.AsyncConnection.connect(PROJECTION.conninfo, autocommit=True) as admin:
        await admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}").format(sql.Identifier(SCHEMA)))
    consumer = AIOKafkaConsumer(bootstrap_servers=servers, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(3)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        async with await psycopg.AsyncConnection.connect(
                PROJECTION.conninfo, autocommit=True, options=f"-c search_path={SCHEMA}") as conn:
            await PROJECTION.create_schema(conn)
            deadline = time.monotonic() + 60
            while any([await consumer.position(tp) < ends[tp] for tp in partitions]) and time.monotonic() < deadline:
                fetched = await consumer.getmany(timeout_ms=1000)
                async with batch(conn):
                    await PROJECTION.apply_all(conn, [json.loads(r.value) for records in fetched.values() for r in records])
            rows = await (await conn.execute("SELECT case_id::text, adaptations FROM followup_case")).fetchall()
        return dict(rows)
    finally:
        await consumer.stop()
        async with await psycopg.AsyncConnection.connect(PROJECTION.conninfo, autocommit=True) as admin:
            await admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))


def test_a_node_killed_under_load_loses_nothing_acknowledged_and_the_view_counts_once(cluster):
    from cases.bootstrap import application

    servers, topic = cluster
    app = application()
    relay = OutboxRelay(app, topic, translate, name=f"test-cluster-{uuid.uuid4().hex[:8]}")
    from_now_on(relay)  # this test's events only
    thread, stopping = _relay_in_background(relay)
    cases: list[str] = []
    try:
        for n in range(CASES):
            case_id = app.open_case(TEACHER, school_unit="0180-ENG", pupil=register_pupil()).case_id
            for a in range(ADAPTATIONS):
                app.record_extra_adaptation(TEACHER, case_id, f"Anpassning {a + 1}")
            cases.append(str(case_id))
            if n == CASES // 3:
                subprocess.run([str(CLUSTER), "kill", str(KILLED)], check=True)  # under load, no goodbye
            time.sleep(0.2)
        [(end,)] = query("CASES_DB", "SELECT max(notification_id) FROM cases_events")
        # The relay was not restarted: it went on by itself, and Kafka acknowledged all of it.
        eventually(lambda: query("CASES_DB", "SELECT 1 FROM relay_position WHERE relay_name = %s AND notification_id >= %s",
                                 (relay.name, end)), timeout=90, interval=0.5)
    finally:
        stopping.set()
        thread.join(timeout=60)

    shown = asyncio.run(_view_from(servers, topic))
    assert {case_id: shown.get(case_id) for case_id in cases} == {case_id: ADAPTATIONS for case_id in cases}
