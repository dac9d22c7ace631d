"""Rektor's quality view as a faust-streaming worker: `faust -A projections.quality.app worker`.

Two agents, each with its own database connection: the competence topic (missions, goals and
their cycle, competence plan, supervision) and the documentation topic (interventions).
At-least-once: faust commits a message's offset only after the agent finished with it, i.e.
after the read model's transaction committed; on failure the agent retries the same message.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import faust
import psycopg
from opentelemetry import trace

from eventkit.config import RETRY_AT_MOST_SECONDS, Postgres
from eventkit.streams import headers_of, projection_app, raw_topic
from eventkit.telemetry import context_from_traceparent, setup_tracing, tracer
from projections.quality import readmodel

log = logging.getLogger("projections.quality")
COMPETENCE_TOPIC, DOCUMENTATION_TOPIC = readmodel.TOPICS

setup_tracing("quality-projection")
_tracer = tracer("projections.quality")
app = projection_app("stodspar-quality", "QUALITY_FAUST_WEB_PORT", 6068)
competence_topic = raw_topic(app, COMPETENCE_TOPIC)
documentation_topic = raw_topic(app, DOCUMENTATION_TOPIC)


class QualityProjector:
    def __init__(self) -> None:
        self._conn: psycopg.AsyncConnection | None = None

    async def handle(self, value: bytes, headers: dict[str, bytes]) -> bool:
        message: dict[str, Any] = json.loads(value)
        traceparent = (headers.get("traceparent") or b"").decode() or None
        with _tracer.start_as_current_span(
            f"project {message.get('event_type')}", context=context_from_traceparent(traceparent),
            kind=trace.SpanKind.CONSUMER,
            attributes={"messaging.message.id": message.get("event_id", ""), "stodspar.view": "quality"},
        ) as span:
            if self._conn is None or self._conn.closed:
                self._conn = await psycopg.AsyncConnection.connect(
                    Postgres.for_database("QUALITY_DB").conninfo, autocommit=True)
                await readmodel.create_schema_async(self._conn)
            applied = await readmodel.apply(self._conn, message)
            span.set_attribute("stodspar.duplicate", not applied)
            return applied

    async def reset(self) -> None:
        if self._conn is not None:
            await self._conn.close()
        self._conn = None


async def _until_done(projector: QualityProjector, event: faust.types.EventT) -> None:
    backoff = 0.2
    while True:
        try:
            await projector.handle(event.value, headers_of(event))
            return
        except Exception as exc:  # database away, or a bug: never skip the message
            log.warning("quality projection retrying offset %s: %s", event.message.offset, type(exc).__name__)
            await projector.reset()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, RETRY_AT_MOST_SECONDS)


competence_projector = QualityProjector()
documentation_projector = QualityProjector()


@app.agent(competence_topic)
async def project_competence(stream: faust.StreamT) -> None:
    async for event in stream.events():
        await _until_done(competence_projector, event)


@app.agent(documentation_topic)
async def project_documentation(stream: faust.StreamT) -> None:
    async for event in stream.events():
        await _until_done(documentation_projector, event)
