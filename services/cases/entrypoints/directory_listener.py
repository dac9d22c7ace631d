"""The pupil's cases follow the register: `python -m cases.entrypoints.directory_listener`.

Listens to stodspar.directory.v1 for DirectoryPersonChanged (the directory's public event, ADR
0026; structure only, never a name or a personnummer) and hands a pupil's change to the cases
application (`follow_register`): the register's protection set or lifted (R14; the unit's rektors,
from the directory's staff list, granted when it protects an existing case), the placement at a
case's unit ended (R11), removed from the register. At least once and idempotent: the offset is
committed only after the cases have followed the change, a failure (database or directory away)
is retried, never skipped, and news a case already follows changes nothing. Ids only in logs.
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

from cases.bootstrap import application, directory
from cases.domain.values import RegisterChange
from eventkit.config import RETRY_AT_MOST_SECONDS, kafka_bootstrap
from eventkit.contracts import ContractViolation, validate_message
from eventkit.telemetry import setup_tracing

TOPIC = "stodspar.directory.v1"
GROUP = "stodspar-cases-directory"
EVENT = "DirectoryPersonChanged"
log = logging.getLogger("cases.directory_listener")


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def change_in(value: bytes | None) -> RegisterChange | None:
    """The pupil's change, if the message is a DirectoryPersonChanged about a pupil (checked
    against its contract); None for anything else."""
    message = json.loads(value or b"{}")
    if message.get("event_type") != EVENT:
        return None
    validate_message(message)
    data = message["data"]
    if "pupil" not in data.get("kinds", ()):
        return None
    return RegisterChange(
        pupil_ref=str(data["person_id"]), municipality=message.get("municipality") or data["municipality"],
        protected=bool(data["protected"]), removed_from_register=bool(data["removed_from_register"]),
        placements=tuple((p["school_unit"], _day(p.get("end_date"))) for p in data.get("placements") or ()),
        changed_on=_day(data.get("changed_on")) or date.today(),
    )


def follow(change: RegisterChange) -> int:
    return application().follow_register(change, directory().rektors)


async def _follow(change: RegisterChange, handle: Callable[[RegisterChange], int], stop: asyncio.Event) -> int:
    backoff = 0.2
    while not stop.is_set():
        try:
            changed = await asyncio.to_thread(handle, change)
            if changed:
                log.info("%d case(s) of pupil %s follow the register", changed, change.pupil_ref)
            return changed
        except Exception as exc:  # database or directory away: never skip a change
            log.warning("following the register retrying: %s", type(exc).__name__)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, RETRY_AT_MOST_SECONDS)
    raise asyncio.CancelledError()


async def listen(stop: asyncio.Event, handle: Callable[[RegisterChange], int] = follow) -> None:
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
                    try:
                        change = change_in(record.value)
                    except (ContractViolation, KeyError, ValueError, TypeError) as exc:
                        # A message that breaks the contract cannot be followed; it is not retried forever.
                        log.error("skipped a malformed directory message at offset %d: %s", record.offset, type(exc).__name__)
                        continue
                    # Idempotent, so a change is committed with its batch; one that changed cases at once.
                    if change is not None and await _follow(change, handle, stop):
                        await consumer.commit({TopicPartition(tp.topic, tp.partition): record.offset + 1})
                if records:
                    await consumer.commit({TopicPartition(tp.topic, tp.partition): records[-1].offset + 1})
    except asyncio.CancelledError:
        pass
    finally:
        await consumer.stop()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    setup_tracing("cases-directory")

    async def body() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        application()  # tables and keys before the first message
        await listen(stop)

    asyncio.run(body())


if __name__ == "__main__":
    main()
