"""Distributed traces (OpenTelemetry): a span for each HTTP request, each handled event, each outbox publish and
each database transaction, linked across services by the W3C trace context an event carries.

Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` is set: then every function here returns at its first line (a shared
no-op context, no span, no context lookup), so the per-event path pays one global check. On, spans go to the OTLP
collector over HTTP in batches, from a background thread.

The trace context travels with an event as the CloudEvents distributed-tracing extension (`traceparent`,
`tracestate`): captured when the event is emitted (the span current then: the request, the handling of the event
that caused it, the transaction), stored in the outbox row, published by the relay, and continued by the consumer.
A service with tracing off passes the context of the event it handles on to the events that handling emits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.logging import get_logger

log = get_logger(__name__)

TraceContext = tuple[str | None, str | None]  # (traceparent, tracestate) as the W3C headers spell them
NO_TRACE_CONTEXT: TraceContext = (None, None)
NO_SPAN: contextlib.nullcontext[None] = contextlib.nullcontext()  # reusable and reentrant

_provider: TracerProvider | None = None
_tracers: dict[str, Tracer] = {}
_propagator = TraceContextTextMapPropagator()


def enabled() -> bool:
    return _provider is not None


def install(provider: TracerProvider) -> None:
    """Trace with this provider from now on (tests install one with an in-memory exporter)."""
    global _provider
    _provider = provider
    _tracers.clear()


def uninstall() -> TracerProvider | None:
    """Stop tracing; the provider that was installed, for the caller to flush and shut down."""
    global _provider
    provider, _provider = _provider, None
    _tracers.clear()
    return provider


def configure_tracing(service: str, endpoint: str) -> bool:
    """Export this process's spans to the OTLP/HTTP collector at `endpoint` (its base URL, as
    OTEL_EXPORTER_OTLP_ENDPOINT gives it); with no endpoint, leave tracing as it is (off unless installed)."""
    if not endpoint or _provider is not None:
        return _provider is not None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=_traces_url(endpoint))))
    install(provider)
    log.info("traces exported over OTLP", endpoint=endpoint)
    return True


def flush() -> None:
    """Export what is buffered now (a service stopping; the provider itself shuts down when the process ends)."""
    if _provider is not None:
        _provider.force_flush(timeout_millis=5000)


def shutdown() -> None:
    """Flush what is buffered and stop (at the end of the process)."""
    provider = uninstall()
    if provider is not None:
        provider.shutdown()


def _traces_url(endpoint: str) -> str:
    """The generic OTLP endpoint is a base URL: traces go to its `v1/traces` (the specification's rule)."""
    return endpoint.rstrip("/") + "/v1/traces"


def _tracer(service: str) -> Tracer:
    """One instrumentation scope per service (`grassroots.<name>`), from a name or an event source."""
    tracer = _tracers.get(service)
    if tracer is None:
        assert _provider is not None
        name = service.rstrip("/").rsplit("/", 1)[-1]
        tracer = _tracers[service] = _provider.get_tracer(f"grassroots.{name}")
    return tracer


def _parent(trace_context: TraceContext) -> otel_context.Context | None:
    traceparent, tracestate = trace_context
    if traceparent is None:
        return None
    carrier = {"traceparent": traceparent}
    if tracestate:
        carrier["tracestate"] = tracestate
    return _propagator.extract(carrier)


def current_trace_context(inherited: TraceContext = NO_TRACE_CONTEXT) -> TraceContext:
    """The trace context an event emitted now carries: the current span's, or, with no span recording here
    (tracing off), the one `inherited` from the event being handled."""
    if _provider is None:
        return inherited
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    if "traceparent" not in carrier:
        return inherited
    return carrier["traceparent"], carrier.get("tracestate")


def outgoing_headers() -> dict[str, str]:
    """W3C headers for an HTTP call made now (the console calling an API), so the callee continues the trace."""
    if _provider is None:
        return {}
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier


def capture() -> otel_context.Context | None:
    """The current context, to continue in another task (a batch's runner); None when tracing is off."""
    return otel_context.get_current() if _provider is not None else None


# The spans. Each returns NO_SPAN when tracing is off; on, it yields the span, current while the block runs.


def http_server(service: str, method: str, path: str, headers: Sequence[tuple[bytes, bytes]]):
    """A request: named by its route template once routing knows it (`finish_http`)."""
    if _provider is None:
        return NO_SPAN
    return _tracer(service).start_as_current_span(
        method,
        context=_parent(_w3c_headers(headers)),
        kind=SpanKind.SERVER,
        attributes={"http.request.method": method, "url.path": path},
        record_exception=False,  # the access log records it, once
        set_status_on_exception=True,
    )


def finish_http(span: Span | None, method: str, route: str, status: int) -> None:
    if span is None:
        return
    span.update_name(f"{method} {route}")
    span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))


def _w3c_headers(headers: Sequence[tuple[bytes, bytes]]) -> TraceContext:
    traceparent = tracestate = None
    for name, value in headers:
        if name == b"traceparent":
            traceparent = value.decode("latin-1")
        elif name == b"tracestate":
            tracestate = value.decode("latin-1")
    return traceparent, tracestate


def consuming(service: str, queue: str, envelope: Any):
    """The handling of one event taken from `queue`, continuing the trace the event carries."""
    if _provider is None:
        return NO_SPAN
    return _tracer(service).start_as_current_span(
        f"{envelope.type} process",
        context=_parent(envelope.trace_context),
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "rabbitmq",
            "messaging.operation.type": "process",
            "messaging.destination.name": queue,
            **_event_attributes(envelope),
        },
    )


def outcome(span: Span | None, outcome: str) -> None:
    """What became of the event handled in `span`: handled, duplicate, retried, dead_lettered."""
    if span is None:
        return
    span.set_attribute("grassroots.outcome", outcome)
    if outcome in ("retried", "dead_lettered"):
        span.set_status(Status(StatusCode.ERROR, outcome))


def handling(service: str, envelope: Any, within: otel_context.Context | None):
    """One event's handler inside a batch's transaction, under the span of the message it came in."""
    if _provider is None:
        return NO_SPAN
    return _tracer(service).start_as_current_span(
        f"{envelope.type} handle",
        context=within,
        kind=SpanKind.INTERNAL,
        attributes=_event_attributes(envelope),
    )


def publishing(service: str, envelope: Any):
    """The relay's publish of one outbox row, in the trace of the moment its event was emitted."""
    if _provider is None:
        return NO_SPAN
    return _tracer(service).start_as_current_span(
        f"{envelope.type} publish",
        context=_parent(envelope.trace_context) or otel_context.Context(),
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "rabbitmq",
            "messaging.operation.type": "send",
            "messaging.destination.name": envelope.type,
            **_event_attributes(envelope),
        },
    )


def transaction(service: str, *, events: int = 1, within: Sequence[otel_context.Context | None] = ()):
    """A unit of work's database transaction. A batch's spans `within` the messages it holds: the first is its
    parent, the others are linked."""
    if _provider is None:
        return NO_SPAN
    parent, *others = within or [None]
    links = [Link(_span_context(other)) for other in others if other is not None]
    return _tracer(service).start_as_current_span(
        "transaction",
        context=parent,
        kind=SpanKind.CLIENT,
        links=links,
        attributes={"db.system.name": "postgresql", "grassroots.events": events},
    )


def _span_context(context: otel_context.Context) -> trace.SpanContext:
    return trace.get_current_span(context).get_span_context()


def _event_attributes(envelope: Any) -> dict[str, str]:
    attributes = {
        "cloudevents.event_id": str(envelope.id),
        "cloudevents.event_source": envelope.source,
        "cloudevents.event_type": envelope.type,
        "grassroots.correlation_id": str(envelope.correlation_id),
    }
    if envelope.subject is not None:
        attributes["cloudevents.event_subject"] = envelope.subject
    return attributes
