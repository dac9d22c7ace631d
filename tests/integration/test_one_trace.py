"""One trace follows a request from HTTP through the stored event and Kafka to the view."""
from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from eventkit.config import topic
from eventkit.telemetry import setup_tracing
from tests.conftest import TEACHER, headers_for
from tests.support.infrastructure import end_of, messages_after
from tests.support.pupils import directory_pupil, personal_number, pupil_name

pytestmark = pytest.mark.integration
TOPIC = topic("stodspar.cases.v1")


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    setup_tracing("test").add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.clear()


@pytest.fixture
def relay_process_paused(stack):
    """This test runs the relay in-process so its spans are captured here."""
    stack.stop("cases_relay")
    yield
    stack.start("cases_relay")


def test_one_trace_spans_the_request_the_relay_publish_and_the_projection_update(stack, spans, relay_process_paused):
    from cases.entrypoints.api import app
    from cases.entrypoints.relay import build_relay
    from eventkit.projection import ProjectionRunner
    from projections.followup.readmodel import PROJECTION

    mark = end_of(TOPIC)
    personnummer, name = personal_number(), pupil_name()
    pupil_id = directory_pupil(stack, "0180-ENG", number=personnummer, name=name)
    response = TestClient(app).post(
        "/cases",
        json={"school_unit": "0180-ENG", "pupil_id": pupil_id},
        headers=headers_for(TEACHER, "cases"),
    )
    assert response.status_code == 201, response.text
    case_id = response.json()["case_id"]

    async def relay_then_project() -> None:
        relay = build_relay()
        try:
            await relay.drain()
        finally:
            await relay.close()
        [record] = await asyncio.to_thread(messages_after, TOPIC, mark, lambda r: r.key == case_id.encode())
        projector = ProjectionRunner(PROJECTION)
        try:
            await projector.handle(record.value, dict(record.headers))
        finally:
            await projector.close()

    asyncio.run(relay_then_project())

    finished = spans.get_finished_spans()
    server = next(s for s in finished if s.kind.name == "SERVER" and s.attributes.get("http.route") == "/cases")
    publish = next(s for s in finished if s.name == "publish CaseOpened" and s.parent and s.parent.trace_id == server.context.trace_id)
    project = next(s for s in finished if s.name == "project CaseOpened" and s.context.trace_id == server.context.trace_id)
    assert publish.context.trace_id == server.context.trace_id
    assert project.parent.span_id == publish.context.span_id
    # No personal data in any span of the trace.
    for span in finished:
        text = repr(dict(span.attributes or {})) + span.name
        assert personnummer not in text and personnummer.replace("-", "") not in text and name not in text
