"""A process that follows one topic and hands each message it cares about to its service: the
plumbing the disposal listeners (eventkit.disposal) and the cases service's directory listener
share.

At least once, never skipping: `read` turns a message into what to do (None: not this
listener's business); `act` does it and must be idempotent. The offset is committed only after
`act` returned (at once when it answers that it changed something, else with the batch); a
failing `act` (a database or a service away) is tried again with a doubling wait, as long as
the process runs. A message `read` cannot understand (it breaks its contract) is logged by
offset and, where the listener allows it (`passed_over`), passed over, since no retry would make
it readable; otherwise the process stops on it, to be seen. Ids only in logs.
"""
from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any, Callable, TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition

from eventkit.config import RETRY_AT_MOST_SECONDS, kafka_bootstrap, prefixed
from eventkit.contracts import ContractViolation
from eventkit.telemetry import setup_tracing

T = TypeVar("T")
UNREADABLE = (ContractViolation, KeyError, ValueError, TypeError)


async def until_done(log: logging.Logger, act: Callable[[T], Any], item: T, stop: asyncio.Event) -> Any:
    backoff = 0.2
    while not stop.is_set():
        try:
            return await asyncio.to_thread(act, item)
        except Exception as exc:  # database or service away: never skip
            log.warning("retrying: %s", type(exc).__name__)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, RETRY_AT_MOST_SECONDS)
    raise asyncio.CancelledError()


async def follow(topic: str, group: str, read: Callable[[bytes | None], T | None], act: Callable[[T], Any],
                 stop: asyncio.Event, log: logging.Logger, passed_over: tuple[type[Exception], ...] = ()) -> None:
    """Follows `topic` as consumer group `group` (prefixed by the test suite's database prefix,
    so test runs never move the offsets `make run` uses) until `stop` is set."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap(), group_id=prefixed(group),
        enable_auto_commit=False, auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            for tp, records in batch.items():
                for record in records:
                    try:
                        item = read(record.value)
                    except passed_over as exc:
                        log.error("passed over an unreadable message at offset %d: %s", record.offset, type(exc).__name__)
                        continue
                    if item is not None and await until_done(log, act, item, stop):
                        await consumer.commit({TopicPartition(tp.topic, tp.partition): record.offset + 1})
                if records:
                    await consumer.commit({TopicPartition(tp.topic, tp.partition): records[-1].offset + 1})
    except asyncio.CancelledError:
        pass
    finally:
        await consumer.stop()


def run_listener(name: str, topic: str, group: str, read: Callable[[bytes | None], T | None],
                 act: Callable[[T], Any], prepare: Callable[[], Any],
                 passed_over: tuple[type[Exception], ...] = ()) -> None:
    """The process: logging, tracing, signals; `prepare()` first (the service's tables and keys
    before the first message)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    setup_tracing(name)
    log = logging.getLogger(name)

    async def body() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        prepare()
        await follow(topic, group, read, act, stop, log, passed_over)

    asyncio.run(body())
