"""The trace context as the CloudEvents distributed-tracing extension, and tracing off costing nothing but a check."""

from __future__ import annotations

import json
import threading
import timeit
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.events.envelope import Event, encode_data, new_envelope, parse_event
from shared.events.structured import to_structured
from shared.observability import tracing
from tests.support.probes import a_report

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
CONTEXT = (TRACEPARENT, "district=dadong,rojo=00f067aa0ba902b7")


def traced_report():
    report = a_report()
    return report, new_envelope(report, source="/services/patrol", trace_context=CONTEXT)


def test_the_trace_context_travels_as_the_distributed_tracing_extension():
    report, envelope = traced_report()
    headers = envelope.to_headers()
    assert headers["cloudEvents_traceparent"] == TRACEPARENT
    assert headers["cloudEvents_tracestate"] == CONTEXT[1]
    assert parse_event(headers, encode_data(report)).envelope.trace_context == CONTEXT


def test_a_log_line_about_the_event_names_its_trace():
    _, envelope = traced_report()
    assert envelope.log_context()["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert "trace_id" not in new_envelope(a_report(), source="/services/patrol").log_context()


def test_without_a_trace_context_no_tracing_header_is_written():
    headers = new_envelope(a_report(), source="/services/patrol").to_headers()
    assert not [name for name in headers if "trace" in name]


@pytest.mark.parametrize("prefix", ["cloudEvents:", "ce-", "ce_"])
def test_the_trace_context_is_read_under_every_prefix_the_consumer_accepts(prefix):
    report, envelope = traced_report()
    headers = {
        prefix + key.removeprefix("cloudEvents_"): value for key, value in envelope.to_headers().items()
    }
    assert parse_event(headers, encode_data(report)).envelope.trace_context == CONTEXT


def test_structured_mode_carries_the_trace_context():
    report, envelope = traced_report()
    body = json.dumps(to_structured(envelope, encode_data(report))).encode()
    assert parse_event({}, body, "application/cloudevents+json") == Event(envelope, report)


@pytest.mark.parametrize("bad", [12345, b"\xff\xfe", "a\nb", "x" * 600, "", "追踪"])
def test_a_trace_context_that_cannot_be_read_is_ignored_never_poison(bad):
    report, envelope = traced_report()
    headers = envelope.to_headers() | {"cloudEvents_traceparent": bad, "cloudEvents_tracestate": bad}
    event = parse_event(headers, encode_data(report))
    assert event.data == report and event.envelope.trace_context == (None, None)


def test_with_tracing_off_no_span_is_made_and_events_pass_on_the_context_they_came_with():
    assert not tracing.enabled()
    _, envelope = traced_report()
    assert tracing.consuming("dispatch", "dispatch.hazard.reported", envelope) is tracing.NO_SPAN
    assert tracing.publishing("patrol", envelope) is tracing.NO_SPAN
    assert tracing.handling("dispatch", envelope, None) is tracing.NO_SPAN
    assert tracing.transaction("dispatch") is tracing.NO_SPAN
    assert tracing.http_server("patrol", "POST", "/reports", []) is tracing.NO_SPAN
    assert tracing.capture() is None
    assert tracing.outgoing_headers() == {}
    assert tracing.current_trace_context(CONTEXT) == CONTEXT
    assert tracing.current_trace_context() == (None, None)


def test_with_tracing_off_an_event_pays_well_under_a_microsecond():
    """What a consumed event pays when tracing is off: its span, its transaction's, its emitted event's context.
    Against the 10-16 ms of CPU a report costs across the system, this is below a thousandth."""
    _, envelope = traced_report()

    def per_event() -> None:
        with tracing.consuming("dispatch", "q", envelope), tracing.transaction("dispatch"):
            tracing.current_trace_context(envelope.trace_context)

    seconds = min(timeit.repeat(per_event, number=20_000, repeat=5)) / 20_000
    assert seconds < 5e-6, f"{seconds * 1e9:.0f} ns per event"


def test_with_tracing_on_a_span_continues_the_trace_an_event_carries():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    try:
        _, envelope = traced_report()
        with tracing.consuming("dispatch", "dispatch.hazard.reported", envelope) as span:
            emitted = tracing.current_trace_context(envelope.trace_context)
            called_with = tracing.outgoing_headers()
            tracing.outcome(span, "handled")
    finally:
        tracing.uninstall()
    [finished] = exporter.get_finished_spans()
    assert finished.instrumentation_scope.name == "grassroots.dispatch"
    assert format(finished.context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    assert finished.parent.span_id == 0xB7AD6B7169203331
    assert emitted == (f"00-{finished.context.trace_id:032x}-{finished.context.span_id:016x}-01", CONTEXT[1])
    assert finished.attributes["grassroots.outcome"] == "handled"
    assert called_with == {"traceparent": emitted[0], "tracestate": CONTEXT[1]}, (
        "an API called now joins the trace"
    )


def test_with_an_endpoint_spans_are_exported_over_otlp_http():
    """What OTEL_EXPORTER_OTLP_ENDPOINT turns on: protobuf POSTs to the collector's /v1/traces, named by service."""
    received: list[tuple[str, str, bytes]] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Content-Type"], body))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert tracing.configure_tracing("dispatch", f"http://127.0.0.1:{server.server_port}/")
        _, envelope = traced_report()
        with tracing.consuming("dispatch", "dispatch.hazard.reported", envelope):
            pass
        tracing.flush()
    finally:
        tracing.shutdown()
        server.shutdown()
    assert not tracing.enabled()
    [(path, content_type, body)] = received
    assert path == "/v1/traces" and content_type == "application/x-protobuf"
    assert b"hazard.reported process" in body and b"dispatch" in body
    assert bytes.fromhex("0af7651916cd43dd8448eb211c80319c") in body, "the event's trace id"


def test_without_an_endpoint_tracing_stays_off():
    assert tracing.configure_tracing("dispatch", "") is False
    assert not tracing.enabled()
