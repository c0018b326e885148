"""Distributed traces: one report posted to patrol's HTTP API is one trace through patrol, dispatch and notify.

The three services run in this process on the real broker and database, with an in-memory span exporter installed
in place of the OTLP one. The trace context crosses the broker as the CloudEvents `traceparent` extension, which
each outbox row keeps until the relay publishes it.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services import definition_of
from shared.auth import issue_token
from shared.observability import tracing
from shared.runtime.app import create_app
from shared.runtime.service import ServiceRuntime
from tests.support.waiting import eventually

IN_TUANJIE_G1 = {"lat": "41.782", "lon": "123.452"}
CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"
NOTIFY = {"quiet_hours_default": "00:00-00:00", "worker_poll_seconds": 0.1}


@pytest.fixture
def spans() -> AsyncIterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    yield exporter
    tracing.uninstall()
    provider.shutdown()


@contextlib.asynccontextmanager
async def patrol_api(settings_for, tmp_path) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    service = definition_of("patrol")
    settings = settings_for(service, photo_dir=tmp_path / "photos", public_base_url="http://patrol.test")
    app = create_app(service, settings, ServiceRuntime(service, settings))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://patrol.test") as client,
    ):
        yield client, settings.auth_secret


def of(spans: list[ReadableSpan], service: str) -> list[ReadableSpan]:
    return [span for span in spans if span.instrumentation_scope.name == f"grassroots.{service}"]


def named(spans: list[ReadableSpan], name: str) -> list[ReadableSpan]:
    return [span for span in spans if span.name == name]


async def test_one_report_is_one_trace_through_patrol_dispatch_and_notify(
    spans, infra, admin_db, settings_for, run_service, tmp_path
):
    async with (
        run_service(definition_of("dispatch")),
        run_service(definition_of("notify"), **NOTIFY),
        patrol_api(settings_for, tmp_path) as (client, secret),
    ):
        token = issue_token(secret, "w-0101", ["watcher"], community_code="WG-TJ")
        response = await client.post(
            "/reports",
            data={
                "category": "fire.balcony-storage",
                "description": f"阳台堆放纸箱 {uuid.uuid4()}",
                **IN_TUANJIE_G1,
            },
            headers={
                "Authorization": f"Bearer {token}",
                "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01",
                "tracestate": "district=dadong",
            },
        )
        assert response.status_code == 201, response.text
        report_id = response.json()["report_id"]

        async def in_notify_and_back_in_patrol() -> bool:
            finished = spans.get_finished_spans()
            return all(
                named(of(finished, service), "dispatch.assigned process") for service in ("notify", "patrol")
            )

        await eventually(
            in_notify_and_back_in_patrol, timeout=30, what="notify and patrol to handle dispatch.assigned"
        )
        stored = await admin_db.fetchrow(
            "SELECT traceparent, tracestate FROM patrol.outbox WHERE subject = $1", report_id
        )

    finished = spans.get_finished_spans()
    ours = [span for span in finished if span.context.trace_id == int(CALLER_TRACE, 16)]

    # patrol: the request continues the caller's trace; its transaction and the relay's publish are in it
    [request] = named(of(ours, "patrol"), "POST /reports")
    assert request.kind is SpanKind.SERVER and request.parent.span_id == int(CALLER_SPAN, 16)
    assert (
        request.attributes["http.route"] == "/reports"
        and request.attributes["http.response.status_code"] == 201
    )
    [transaction] = [
        span
        for span in named(of(ours, "patrol"), "transaction")
        if span.parent.span_id == request.context.span_id
    ]
    [published] = named(of(ours, "patrol"), "hazard.reported publish")
    assert published.kind is SpanKind.PRODUCER and published.parent.span_id == transaction.context.span_id
    assert stored["traceparent"] == f"00-{CALLER_TRACE}-{transaction.context.span_id:016x}-01"
    assert stored["tracestate"] == "district=dadong"

    # dispatch: the consumer continues it across the broker, handles the event, publishes the assignment
    [consumed] = named(of(ours, "dispatch"), "hazard.reported process")
    assert consumed.kind is SpanKind.CONSUMER and consumed.parent.span_id == transaction.context.span_id
    assert consumed.attributes["grassroots.outcome"] == "handled"
    assert consumed.attributes["cloudevents.event_subject"] == report_id
    assert named(of(ours, "dispatch"), "hazard.reported handle")
    assert named(of(ours, "dispatch"), "transaction")
    assert named(of(ours, "dispatch"), "dispatch.assigned publish")

    # notify: the assignment handled, still in the caller's trace
    [told] = named(of(ours, "notify"), "dispatch.assigned process")
    assert told.attributes["grassroots.outcome"] == "handled"
    assert told.attributes["grassroots.correlation_id"] == consumed.attributes["grassroots.correlation_id"]
    # and back in patrol: the reporter's status follows the assignment, in the same trace
    [status] = named(of(ours, "patrol"), "dispatch.assigned process")
    assert status.attributes["grassroots.outcome"] == "handled"
    # nothing of the report's story in another trace, but what notify's delivery worker does later, in passes of
    # its own (the notice it sent; the worker's sweeps and other tests' leftovers carry other stories)
    story = consumed.attributes["grassroots.correlation_id"]
    elsewhere = {
        (span.instrumentation_scope.name, span.name)
        for span in finished
        if span not in ours and span.attributes.get("grassroots.correlation_id") == story
    }
    assert elsewhere <= {("grassroots.notify", "notification.sent publish")}, elsewhere
