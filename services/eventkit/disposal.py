"""Following the cases service's disposals (R17): a service that keeps personal data of a pupil
under keys of its own (documentation, ADR 0021; deviations, ADR 0024) listens to
stodspar.cases.v1 for PupilRecordsDisposed and disposes of its part.

`run_disposal_listener(name, group, dispose)` is the whole process: at least once and
idempotent (the service's `dispose` finds a disposal it already recorded and destroys whatever
is left); the offset is committed only after `dispose` returned, and a failing `dispose`
(database away) is retried, never skipped. Ids only in logs.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
from datetime import date
from typing import Any, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition

from eventkit.config import RETRY_AT_MOST_SECONDS, kafka_bootstrap
from eventkit.contracts import validate_message
from eventkit.telemetry import setup_tracing

TOPIC = "stodspar.cases.v1"
Dispose = Callable[..., Any]  # (pupil_ref, case_ids, municipality, disposed_on, event_id) → anything


def disposal_in(value: bytes | None) -> dict[str, Any] | None:
    """What to dispose of, if the message is a PupilRecordsDisposed (checked against its contract)."""
    message = json.loads(value or b"{}")
    if message.get("event_type") != "PupilRecordsDisposed":
        return None
    validate_message(message)
    data = message["data"]
    return {
        "pupil_ref": data["pupil_ref"], "case_ids": list(data["case_ids"]), "municipality": message["municipality"],
        "disposed_on": date.fromisoformat(data["disposed_on"]), "event_id": message["event_id"],
    }


async def _dispose(log: logging.Logger, dispose: Dispose, disposal: dict[str, Any], stop: asyncio.Event) -> None:
    backoff = 0.2
    while not stop.is_set():
        try:
            await asyncio.to_thread(lambda: dispose(**disposal))
            log.info("disposed of what pupil %s had here", disposal["pupil_ref"])
            return
        except Exception as exc:  # database away: never skip a disposal
            log.warning("disposal retrying: %s", type(exc).__name__)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, RETRY_AT_MOST_SECONDS)
    raise asyncio.CancelledError()


async def listen(log: logging.Logger, group: str, dispose: Dispose, stop: asyncio.Event) -> None:
    consumer = AIOKafkaConsumer(
        TOPIC, bootstrap_servers=kafka_bootstrap(), group_id=os.environ.get("TEST_DB_PREFIX", "") + group,
        enable_auto_commit=False, auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            for tp, records in batch.items():
                for record in records:
                    disposal = disposal_in(record.value)
                    if disposal is not None:
                        await _dispose(log, dispose, disposal, stop)
                        await consumer.commit({TopicPartition(tp.topic, tp.partition): record.offset + 1})
                if records:
                    await consumer.commit({TopicPartition(tp.topic, tp.partition): records[-1].offset + 1})
    except asyncio.CancelledError:
        pass
    finally:
        await consumer.stop()


def run_disposal_listener(name: str, group: str, application: Callable[[], Any], dispose: Dispose) -> None:
    """The process: logging, tracing, signals; `application()` first (tables and keys before
    the first message)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    setup_tracing(name)
    log = logging.getLogger(name)

    async def body() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        application()
        await listen(log, group, dispose, stop)

    asyncio.run(body())
