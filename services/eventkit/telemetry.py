"""OpenTelemetry: one trace follows a request from the form, through the stored event and
Kafka, to the read view. The W3C traceparent is captured when a command runs, stored with
the event, carried as a Kafka header by the relay and picked up by the projection.

Spans carry ids and types only, never personal data (no names, no personal identity numbers).
"""
from __future__ import annotations

import os

from opentelemetry import context, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_propagator = TraceContextTextMapPropagator()


def setup_tracing(service_name: str) -> TracerProvider:
    """Install the process's tracer provider once; exports over OTLP when an endpoint is set."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": service_name,
                "service.namespace": os.environ.get("OTEL_SERVICE_NAMESPACE", "stodspar"),
            }
        )
    )
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "")
    if endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces"))
        )
    spans_file = os.environ.get("OTEL_SPANS_FILE", "")
    if spans_file:  # the test suite reads every process's spans from here (no personal data in them)
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

        out = open(spans_file, "a", encoding="utf-8", buffering=1)
        provider.add_span_processor(SimpleSpanProcessor(
            ConsoleSpanExporter(out=out, formatter=lambda span: span.to_json(indent=None) + "\n")
        ))
    trace.set_tracer_provider(provider)
    return provider


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get("traceparent")


def traceparent_of(span: trace.Span) -> str | None:
    """The traceparent that makes `span` the parent of what a message's consumer does."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier, context=trace.set_span_in_context(span))
    return carrier.get("traceparent")


def context_from_traceparent(traceparent: str | None) -> context.Context:
    if not traceparent:
        return context.Context()
    return _propagator.extract({"traceparent": traceparent})


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)
