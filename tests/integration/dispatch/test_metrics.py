"""/metrics moves as a report flows: consumed by outcome, published by type, handler and request durations, the
outbox backlog, open and overdue cases by street, read from the real broker and database."""

from __future__ import annotations

from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from services.dispatch.bootstrap import definition
from shared.auth import issue_token
from shared.events.envelope import new_envelope
from shared.runtime.app import create_app
from shared.runtime.service import ServiceRuntime
from tests.integration.dispatch.helpers import PATROL, a_report, bind_sink, case_of, publish
from tests.support.waiting import eventually


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scraped: dict, name: str, **labels: str) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)


async def test_the_series_move_as_a_report_becomes_a_case(infra, amqp, topology, settings_for, pool, context):
    await bind_sink(
        amqp, topology
    )  # a queue for what dispatch publishes: an unroutable event is not published
    service = definition()
    settings = settings_for(service, metrics_refresh_seconds=0)
    app = create_app(service, settings, ServiceRuntime(service, settings, context=context))
    report = a_report("fire.balcony-storage", severity="urgent")
    envelope = new_envelope(report, source=PATROL)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        before = samples((await client.get("/metrics")).text)
        await publish(amqp, topology, report, envelope)
        await publish(amqp, topology, report, envelope)  # the broker's redelivery: a duplicate
        await eventually(lambda: case_of(pool, report), what="the case to open")

        async def drained() -> bool:
            scraped = samples((await client.get("/metrics")).text)
            return (
                value(
                    scraped,
                    "grassroots_events_consumed_total",
                    event_type="hazard.reported",
                    outcome="duplicate",
                )
                == 1
                and value(scraped, "grassroots_outbox_backlog_events") == 0
            )

        await eventually(drained, what="the duplicate counted and the outbox drained")
        response = await client.get("/metrics")
        after = samples(response.text)
        context.clock.advance(timedelta(days=2))  # past the urgent case's deadline
        overdue = samples((await client.get("/metrics")).text)
        case_id = (await case_of(pool, report))["case_id"]
        handler = {
            "Authorization": f"Bearer {issue_token(settings.auth_secret, 'h-1', ['handler'], unit_ids=('WG-TJ-property',))}"
        }
        for step in ("accept", "start"):
            assert (await client.post(f"/cases/{case_id}/{step}", headers=handler)).status_code == 200
        late = await client.post(f"/cases/{case_id}/resolve", headers=handler, json={"note": "纸箱已清理"})
        assert late.status_code == 200, late.text
        resolved = samples((await client.get("/metrics")).text)

    assert response.headers["content-type"].startswith("text/plain; version=")
    consumed = "grassroots_events_consumed_total"
    assert value(before, consumed, event_type="hazard.reported", outcome="handled") == 0
    assert value(after, consumed, event_type="hazard.reported", outcome="handled") == 1
    assert value(after, consumed, event_type="hazard.reported", outcome="duplicate") == 1
    assert value(after, "grassroots_events_published_total", event_type="dispatch.assigned") == 1
    assert value(after, "grassroots_event_handler_duration_seconds_count", event_type="hazard.reported") == 2
    assert value(after, "grassroots_outbox_oldest_unpublished_age_seconds") == 0
    scrapes = value(after, "grassroots_http_requests_total", method="GET", route="/metrics", status="200")
    assert scrapes >= 2 and scrapes > value(
        before, "grassroots_http_requests_total", method="GET", route="/metrics", status="200"
    )
    assert (
        value(after, "grassroots_http_request_duration_seconds_count", method="GET", route="/metrics")
        == scrapes
    )
    assert value(after, "grassroots_dispatch_cases_open", street="WG") == 1
    assert value(after, "grassroots_dispatch_cases_overdue", street="WG") == 0
    assert value(overdue, "grassroots_dispatch_cases_overdue", street="WG") == 1
    assert value(after, "grassroots_event_lag_seconds_count", event_type="hazard.reported") == 1, (
        "once, not for the duplicate"
    )
    late_in_wg = {"street": "WG", "in_time": "false"}
    assert value(overdue, "grassroots_dispatch_cases_resolved_recently", **late_in_wg) == 0
    assert value(resolved, "grassroots_dispatch_cases_resolved_recently", **late_in_wg) == 1
    assert value(resolved, "grassroots_dispatch_cases_resolved_recently", street="WG", in_time="true") == 0
    assert value(resolved, "grassroots_dispatch_cases_open", street="WG") == 0
    queue = topology.queue("dispatch", "hazard.reported")
    assert value(after, "grassroots_queue_consumers", queue=queue) == 1
    assert value(after, "grassroots_queue_messages", queue=queue) == 0
    assert value(after, "grassroots_queue_messages", queue=topology.dead_letter_queue("dispatch")) == 0
    assert value(after, "grassroots_scrape_probe_failures_total", probe="_queue_depths") == 0
