"""How every projection worker is set up with faust-streaming, in one place.

At-least-once: a message's offset is committed only after the agent has finished with it, so
a read model written inside the agent (idempotently, per event_id) is never skipped. A worker
that dies is dropped from its consumer group after SESSION_TIMEOUT_SECONDS, so a restarted or
replaced one takes its partitions back within about ten seconds, not the broker's minute. Topics
are never declared by a worker: they come from contracts/topics.json (deploy/create_topics.py).
"""
from __future__ import annotations

import os

import faust

from eventkit.config import kafka_bootstrap

SESSION_TIMEOUT_SECONDS = 6.0  # the broker's smallest (group.min.session.timeout.ms)
HEARTBEAT_SECONDS = 1.5
REBALANCE_TIMEOUT_SECONDS = 10.0


def projection_app(name: str, web_port_variable: str, default_port: int) -> faust.App:
    """A faust app whose consumer group is `name` (prefixed by the test suite's database
    prefix, so test runs never move the offsets `make run` uses)."""
    return faust.App(
        os.environ.get("TEST_DB_PREFIX", "") + name,
        broker=f"kafka://{kafka_bootstrap()}",
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",
        web_host="127.0.0.1",
        web_port=int(os.environ.get(web_port_variable, str(default_port))),
        consumer_auto_offset_reset="earliest",
        topic_allow_declare=False,
        broker_commit_interval=0.5,
        broker_session_timeout=SESSION_TIMEOUT_SECONDS,
        broker_heartbeat_interval=HEARTBEAT_SECONDS,
        broker_rebalance_timeout=REBALANCE_TIMEOUT_SECONDS,
    )


def raw_topic(app: faust.App, name: str) -> faust.TopicT:
    return app.topic(name, value_serializer="raw", key_serializer="raw")


def headers_of(event: faust.types.EventT) -> dict[str, bytes]:
    """A message's Kafka headers as a dict (faust gives a dict or a list of pairs)."""
    headers = event.headers or {}
    return dict(headers) if isinstance(headers, dict) else {key: value for key, value in headers}
