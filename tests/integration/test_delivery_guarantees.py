"""Nothing is lost and nothing is counted twice when a relay, the broker or a delivery repeats."""
from __future__ import annotations

import asyncio
import json
import signal
import threading
import time

import pytest
from aiokafka import AIOKafkaProducer

from eventkit.config import kafka_bootstrap
from eventkit.projection import ProjectionRunner
from projections.followup.readmodel import PROJECTION
from tests.conftest import REKTOR
from tests.integration.test_case_to_followup_view import TOPIC, add_adaptation, followup_rows, open_case
from tests.support.infrastructure import end_of, eventually, kafka_script, messages_after

pytestmark = pytest.mark.integration


def wait_for_counts(stack, expected: dict[str, int], timeout: float = 60.0) -> None:
    def all_counted() -> bool:
        rows = followup_rows(stack, REKTOR)
        return all(case in rows and rows[case]["adaptations"] == n for case, n in expected.items())

    eventually(all_counted, timeout=timeout, interval=0.3)
    rows = followup_rows(stack, REKTOR)
    assert {case: rows[case]["adaptations"] for case in expected} == expected


def test_killing_the_relay_mid_stream_loses_nothing_and_counts_nothing_twice(stack):
    expected: dict[str, int] = {}
    done = threading.Event()

    def write_continuously() -> None:
        for _ in range(12):
            case_id = open_case(stack)
            for _ in range(3):
                add_adaptation(stack, case_id)
            expected[case_id] = 3
        done.set()

    writer = threading.Thread(target=write_continuously)
    writer.start()
    for _ in range(3):
        time.sleep(0.4)
        # No goodbye: the relay may die after Kafka acked a batch and before it saved its position.
        stack.processes["cases_relay"].send_signal(signal.SIGKILL)
        stack.processes["cases_relay"].wait()
        stack.start("cases_relay")
    writer.join()
    assert done.is_set()
    wait_for_counts(stack, expected)


def test_a_broker_that_goes_away_loses_no_command(stack):
    kafka_script("stop")
    try:
        expected = {}
        for _ in range(3):
            case_id = open_case(stack)  # accepted: the event is safe in PostgreSQL
            add_adaptation(stack, case_id)
            expected[case_id] = 1
    finally:
        kafka_script("start")
    wait_for_counts(stack, expected, timeout=90.0)


def test_the_projection_ignores_a_redelivered_event(stack):
    mark = end_of(TOPIC)
    case_id = open_case(stack)
    add_adaptation(stack, case_id)
    wait_for_counts(stack, {case_id: 1})
    [record] = messages_after(
        TOPIC, mark, lambda r: r.key == case_id.encode() and dict(r.headers)["event_type"] == b"ExtraAdaptationRecorded"
    )

    async def redeliver() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap())
        await producer.start()
        try:
            await producer.send_and_wait(TOPIC, key=record.key, value=record.value, headers=list(record.headers))
        finally:
            await producer.stop()

    asyncio.run(redeliver())
    add_adaptation(stack, case_id, "Anpassat material")  # same partition, so it comes after the copy
    wait_for_counts(stack, {case_id: 2})


def test_the_projector_applies_an_event_once(stack):
    mark = end_of(TOPIC)
    case_id = open_case(stack)
    [record] = messages_after(TOPIC, mark, lambda r: r.key == case_id.encode())

    async def apply_twice() -> list[bool]:
        projector = ProjectionRunner(PROJECTION)
        try:
            return [await projector.handle(record.value, dict(record.headers)) for _ in range(2)]
        finally:
            await projector.close()

    results = asyncio.run(apply_twice())
    # The running projection may have applied it first; either way never twice.
    assert results.count(True) <= 1 and results[1] is False
    assert json.loads(record.value)["data"]["case_id"] in followup_rows(stack, REKTOR)


def test_a_killed_projection_worker_is_back_within_seconds_and_counts_what_came_meanwhile(stack):
    """#11: a restarted worker takes its partitions back within about ten seconds (the group's
    6 s session timeout drops the dead member), not the broker's default minute; what arrived
    while it was away is counted exactly once."""
    stack.processes["followup"].send_signal(signal.SIGKILL)  # no goodbye: the broker must notice by itself
    stack.processes["followup"].wait()
    case_id = open_case(stack)  # stored and published while no worker runs
    add_adaptation(stack, case_id)
    restarted = time.monotonic()
    stack.start("followup")
    wait_for_counts(stack, {case_id: 1}, timeout=60.0)
    took = time.monotonic() - restarted
    print(f"follow-up view caught up {took:.1f} s after the worker was restarted")
    assert took < 20.0  # 10 s on an idle machine; slack for two busy cores
