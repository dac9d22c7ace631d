"""Creates the topics of contracts/topics.json that are missing, and applies their retention.

contracts/topics.json is the one list of topics; this makes the broker match it before any
service or test subscribes (a subscriber to a missing topic would get it auto-created with the
broker's default of one partition). Idempotent: run by deploy/with-infra.sh on every
make run / make test, and by the one-shot `topics` service of docker-compose.yml.

An existing topic with fewer partitions than the contract is reported, not changed: adding
partitions moves keys to other partitions and so breaks per-case ordering for events already
written. That needs a deliberate migration.

Usage: KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 python deploy/create_topics.py
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError, for_code

TOPICS_FILE = Path(__file__).resolve().parent.parent / "contracts" / "topics.json"
# Kafka may have just been started; give it this long to answer.
CONNECT_TIMEOUT_S = float(os.environ.get("KAFKA_CONNECT_TIMEOUT", "60"))
REPLICATION_FACTOR = int(os.environ.get("KAFKA_REPLICATION_FACTOR", "1"))


def log(message: str) -> None:
    print(f"[create_topics] {message}", flush=True)


def wanted_configs(topic: dict) -> dict[str, str]:
    return {"retention.ms": str(topic["retention_ms"])} if "retention_ms" in topic else {}


async def connect(bootstrap: str) -> AIOKafkaAdminClient:
    deadline = time.monotonic() + CONNECT_TIMEOUT_S
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="stodspar-create-topics")
        try:
            await admin.start()
            return admin
        except KafkaConnectionError:
            await admin.close()
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1)


def raise_errors(entries: list[dict], name_key: str, ignore: tuple[int, ...] = ()) -> None:
    """aiokafka's admin client returns per-topic errors in the response instead of raising."""
    for entry in entries:
        code = entry["error_code"]
        if code and code not in ignore:
            raise for_code(code)(f"{entry[name_key]}: {entry['error_message']}")


async def partition_counts(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, int]:
    described = await admin.describe_topics(names)
    return {t["topic"]: len(t["partitions"]) for t in described}


async def main() -> int:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        log("KAFKA_BOOTSTRAP_SERVERS is not set (see deploy/stodspar.env)")
        return 2
    # The test suite's topics carry its prefix (TEST_PREFIX, as eventkit.config.topic names them).
    prefix = os.environ.get("TEST_PREFIX", "")
    topics = [{**t, "name": prefix + t["name"]} for t in json.loads(TOPICS_FILE.read_text())["topics"]]

    admin = await connect(bootstrap)
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t["name"] not in existing]
        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(
                        name=t["name"],
                        num_partitions=t["partitions"],
                        # 1 on the development broker, 3 on make run-cluster's three nodes
                        # (KAFKA_REPLICATION_FACTOR); a contract may state its own.
                        replication_factor=t.get("replication_factor", REPLICATION_FACTOR),
                        topic_configs=wanted_configs(t),
                    )
                    for t in missing
                ]
            )
            # "Already exists": someone else (a second run, faust) created it meanwhile.
            raise_errors(response.to_object()["topic_errors"], "topic", ignore=(TopicAlreadyExistsError.errno,))
            for t in missing:
                log(f"created {t['name']} ({t['partitions']} partitions, {wanted_configs(t) or 'defaults'})")

        present = [t for t in topics if t["name"] in existing]
        if present:
            # Non-incremental AlterConfigs: the listed keys become the topic's whole dynamic
            # config, which is what we want, as the contract is the only place it is set.
            resources = [
                ConfigResource(ConfigResourceType.TOPIC, t["name"], configs=wanted_configs(t))
                for t in present
                if wanted_configs(t)
            ]
            if resources:
                for response in await admin.alter_configs(resources):
                    raise_errors(response.to_object()["resources"], "resource_name")
            counts = await partition_counts(admin, [t["name"] for t in present])
            for t in present:
                have = counts.get(t["name"])
                if have is not None and have < t["partitions"]:
                    log(
                        f"WARNING {t['name']} has {have} partitions, contract says {t['partitions']}; "
                        "not changed (see this script's docstring)"
                    )
            log(f"up to date: {', '.join(t['name'] for t in present)}")
    finally:
        await admin.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except KafkaError as exc:
        log(f"failed against {os.environ.get('KAFKA_BOOTSTRAP_SERVERS')}: {exc!r}")
        sys.exit(1)
