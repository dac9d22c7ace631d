"""Learns the municipalities' pupil names for the R22 check from CaseOpened on
stodspar.cases.v1: `python -m deviations.entrypoints.pupil_names`.

At-least-once: offsets are committed after the names are stored; a redelivery is recognised
by its event_id and changes nothing. Names are never logged.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import signal

import psycopg
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

from deviations import names
from eventkit.config import Postgres, kafka_bootstrap

log = logging.getLogger("deviations.pupil_names")
CASES_TOPIC = "stodspar.cases.v1"


def _store(batch: list[dict]) -> None:
    with psycopg.connect(Postgres.for_database("DEVIATIONS_DB").conninfo, autocommit=True) as conn:
        conn.execute(names.SCHEMA)
        names.remember(conn, [(m["municipality"], m["data"]["pupil_name"]) for m in batch])


async def run(stop: asyncio.Event) -> None:
    consumer = AIOKafkaConsumer(
        CASES_TOPIC,
        bootstrap_servers=kafka_bootstrap(),
        group_id=os.environ.get("TEST_DB_PREFIX", "") + "stodspar-deviations-pupil-names",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        while not stop.is_set():
            records = await consumer.getmany(timeout_ms=500, max_records=500)
            batch = [
                json.loads(r.value) for rs in records.values() for r in rs
            ]
            opened = [m for m in batch if m.get("event_type") == "CaseOpened"]
            if opened:
                while True:
                    try:
                        await asyncio.to_thread(_store, opened)
                        break
                    except psycopg.Error as exc:  # database away: retry, never skip
                        log.warning("pupil names waiting for the database: %s", type(exc).__name__)
                        await asyncio.sleep(1)
            if records:
                await consumer.commit()
    finally:
        await consumer.stop()


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    while not stop.is_set():
        try:
            await run(stop)
        except KafkaError as exc:
            log.warning("pupil names waiting for Kafka: %s", type(exc).__name__)
            await asyncio.sleep(2)


if __name__ == "__main__":
    asyncio.run(main())
