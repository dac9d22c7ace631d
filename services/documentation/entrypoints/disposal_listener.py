"""The documentation's part of a disposal (R17, ADR 0021):
`python -m documentation.entrypoints.disposal_listener`.

Listens to stodspar.cases.v1 for PupilRecordsDisposed and destroys the documentation
service's own key of that pupil (and of those cases), after recording the disposal as an
event (documentation.records). At least once and idempotent: the offset is committed only
after the keys are destroyed; a message seen again finds the disposal recorded and destroys
whatever is left. Ids only in logs.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
from datetime import date
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from documentation.bootstrap import application
from eventkit.config import kafka_bootstrap
from eventkit.contracts import validate_message
from eventkit.telemetry import setup_tracing

log = logging.getLogger("documentation.disposal")
TOPIC = "stodspar.cases.v1"
GROUP = "stodspar-documentation-disposal"


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


async def _dispose(disposal: dict[str, Any], stop: asyncio.Event) -> None:
    backoff = 0.2
    while not stop.is_set():
        try:
            await asyncio.to_thread(lambda: application().dispose_pupil(**disposal))
            log.info("disposed of the documentation of pupil %s", disposal["pupil_ref"])
            return
        except Exception as exc:  # database away: never skip a disposal
            log.warning("documentation disposal retrying: %s", type(exc).__name__)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)
    raise asyncio.CancelledError()


async def run(stop: asyncio.Event) -> None:
    consumer = AIOKafkaConsumer(
        TOPIC, bootstrap_servers=kafka_bootstrap(), group_id=os.environ.get("TEST_DB_PREFIX", "") + GROUP,
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
                        await _dispose(disposal, stop)
                        await consumer.commit({TopicPartition(tp.topic, tp.partition): record.offset + 1})
                if records:
                    await consumer.commit({TopicPartition(tp.topic, tp.partition): records[-1].offset + 1})
    except asyncio.CancelledError:
        pass
    finally:
        await consumer.stop()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    setup_tracing("documentation-disposal")

    async def body() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        application()  # tables and keys before the first message
        await run(stop)

    asyncio.run(body())


if __name__ == "__main__":
    main()
