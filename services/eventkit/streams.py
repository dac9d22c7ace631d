"""How every projection worker is set up with faust-streaming, in one place.

At-least-once: a message's offset is committed only after the agent has finished with it, so
a read model written inside the agent (idempotently, per event_id) is never skipped. A worker
that dies is dropped from its consumer group after SESSION_TIMEOUT_SECONDS, so a restarted or
replaced one takes its partitions back within about ten seconds, not the broker's minute. Topics
are never declared by a worker: they come from contracts/topics.json (deploy/create_topics.py).
"""
from __future__ import annotations

import logging
import os
from typing import Awaitable, Callable

import faust

from eventkit.config import kafka_bootstrap, prefixed
from eventkit.projection import Messages, Projection, ProjectionRunner, until_done

# What has arrived is applied together, up to BATCH messages in one transaction (acked after it
# committed): a backlog is caught up at many messages per commit, not one.
BATCH, BATCH_WAIT_SECONDS = 500, 0.05
SESSION_TIMEOUT_SECONDS = 6.0  # the broker's smallest (group.min.session.timeout.ms)
HEARTBEAT_SECONDS = 1.5
REBALANCE_TIMEOUT_SECONDS = 10.0


def projection_app(name: str, web_port_variable: str, default_port: int) -> faust.App:
    """A faust app whose consumer group is `name` (prefixed by the test suite's database
    prefix, so test runs never move the offsets `make run` uses)."""
    return faust.App(
        prefixed(name),
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


def consume(app: faust.App, topic: str, handle_many: Callable[[Messages], Awaitable[object]],
            reset: Callable[[], Awaitable[None]], *, name: str, log: logging.Logger, batch: int = BATCH) -> None:
    """An agent on `topic` that hands what has arrived (up to `batch` messages, in order) to
    `handle_many` and retries it until done (eventkit.projection.until_done): its offsets are
    committed only after that, so nothing is skipped."""

    async def agent(stream: faust.StreamT) -> None:
        async for events in stream.take_events(batch, within=BATCH_WAIT_SECONDS):
            messages = [(event.value, headers_of(event)) for event in events]
            await until_done(lambda: handle_many(messages), reset, log=log,
                             what=f"{name} at {topic} offset {events[0].message.offset}")

    agent.__name__ = agent.__qualname__ = name
    app.agent(raw_topic(app, topic), name=name)(agent)


def run_projection(app: faust.App, projection: Projection) -> list[ProjectionRunner]:
    """The projection's agents: one per topic, each with its own runner (connection)."""
    log = logging.getLogger(f"projections.{projection.name}")
    runners = []
    for topic in projection.topics:
        runner = ProjectionRunner(projection)
        consume(app, topic, runner.handle_many, runner.reset, name=f"project_{projection.name}_{topic.replace('.', '_')}",
                log=log)
        runners.append(runner)
    return runners
