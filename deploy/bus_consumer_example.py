"""Example consumer of the regional stream bus.deviations.v1, for the BUS secretariat's own
systems (docs/bus-stream.md): prints every deviation sent to the secretariat, de-identified.

    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 python deploy/bus_consumer_example.py [--from-beginning] [--group NAME]

It joins the consumer group `bus.<your-system>` (default bus.example-printer), validates each
message against contracts/ when jsonschema is installed, drops duplicates by event_id, and
commits its offsets only after a message was printed (at-least-once). Needs aiokafka.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from aiokafka import AIOKafkaConsumer

TOPIC = "bus.deviations.v1"
CONTRACTS = Path(__file__).resolve().parent.parent / "contracts"


def validator():
    """Envelope and BusDeviation schemas, if jsonschema is at hand (optional for a consumer)."""
    try:
        from jsonschema import Draft202012Validator
    except ImportError:
        return lambda message: None
    envelope = Draft202012Validator(json.loads((CONTRACTS / "envelope.v1.json").read_text(encoding="utf-8")))
    data = Draft202012Validator(json.loads((CONTRACTS / "events" / "BusDeviation.v1.json").read_text(encoding="utf-8")))

    def validate(message: dict) -> None:
        envelope.validate(message)
        data.validate(message["data"])

    return validate


def line(message: dict) -> str:
    d = message["data"]
    organisations = ", ".join(f"{o['kind']}({o['side']})" for o in d["organisations"])
    principled = " principiell" if d["principled"] else ""
    return (f"{d['occurred_on']} {d['municipality']} {d['category']}{principled} [{organisations}] "
            f"uppstod i {d['arose_in']['kind']}: {d['description']}")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", default="bus.example-printer", help="consumer group (bus.<your-system>)")
    parser.add_argument("--topic", default=TOPIC, help=f"the regional stream (default {TOPIC})")
    parser.add_argument("--from-beginning", action="store_true", help="a new group starts at the oldest message")
    args = parser.parse_args()
    validate = validator()
    consumer = AIOKafkaConsumer(
        args.topic,
        bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        group_id=args.group,
        enable_auto_commit=False,
        auto_offset_reset="earliest" if args.from_beginning else "latest",
        isolation_level="read_committed",
    )
    await consumer.start()
    seen: set[str] = set()  # a real system keeps processed event_ids in its own store
    try:
        async for record in consumer:
            message = json.loads(record.value)
            validate(message)
            if message["event_id"] not in seen:
                seen.add(message["event_id"])
                print(line(message), flush=True)
            await consumer.commit()
    finally:
        await consumer.stop()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except KeyboardInterrupt:
        sys.exit(130)
