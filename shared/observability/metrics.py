"""A service's Prometheus metrics, in a registry of its own (one per process), served at `/metrics`.

Counters and histograms are moved in place on the hot path (no I/O per event or request). What lives in the
database (the outbox's backlog, dispatch's open cases) is read by cheap queries at scrape time, at most once every
`refresh_seconds`, so a scraper polling fast costs the database no more.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from shared.logging import get_logger

log = get_logger(__name__)

ScrapeProbe = Callable[["ServiceMetrics"], Awaitable[None]]

_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# An event's lag runs from milliseconds (a quiet system) to minutes (a backlog, a broker or database away).
_LAG_SECONDS = (0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


class ServiceMetrics:
    def __init__(self, *, refresh_seconds: float = 5.0) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.events_consumed = Counter(
            "grassroots_events_consumed",
            "Events taken from the service's queues, by type and outcome",
            ["event_type", "outcome"],
            registry=registry,
        )
        self.events_published = Counter(
            "grassroots_events_published",
            "Events the outbox relay published with a broker confirm, by type",
            ["event_type"],
            registry=registry,
        )
        self.handler_duration = Histogram(
            "grassroots_event_handler_duration_seconds",
            "Time to handle one event in its transaction (inbox, handler, commit), by type",
            ["event_type"],
            buckets=_SECONDS,
            registry=registry,
        )
        self.event_lag = Histogram(
            "grassroots_event_lag_seconds",
            "Time from an event's emission (its time) to the commit of its handling here, by type: for "
            "dispatch's hazard.reported, the latency from a report to its case's assignment",
            ["event_type"],
            buckets=_LAG_SECONDS,
            registry=registry,
        )
        self.http_requests = Counter(
            "grassroots_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=registry,
        )
        self.http_duration = Histogram(
            "grassroots_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template",
            ["method", "route"],
            buckets=_SECONDS,
            registry=registry,
        )
        self.notify_deliveries = Counter(
            "grassroots_notify_deliveries",
            "Notification deliveries attempted, by channel and outcome",
            ["channel", "outcome"],
            registry=registry,
        )
        self.outbox_backlog = Gauge(
            "grassroots_outbox_backlog_events",
            "Events committed to the outbox and not yet published (read at scrape time)",
            registry=registry,
        )
        self.outbox_oldest_age = Gauge(
            "grassroots_outbox_oldest_unpublished_age_seconds",
            "Age of the oldest event not yet published; 0 when none waits (read at scrape time)",
            registry=registry,
        )
        self.cases_open = Gauge(
            "grassroots_dispatch_cases_open",
            "Dispatch's open cases, by street (read at scrape time)",
            ["street"],
            registry=registry,
        )
        self.cases_overdue = Gauge(
            "grassroots_dispatch_cases_overdue",
            "Dispatch's open cases past their deadline, by street (read at scrape time)",
            ["street"],
            registry=registry,
        )
        self.cases_resolved_recently = Gauge(
            "grassroots_dispatch_cases_resolved_recently",
            "Cases resolved in the last 30 days, by street and whether within their deadline (read at scrape time)",
            ["street", "in_time"],
            registry=registry,
        )
        self.queue_messages = Gauge(
            "grassroots_queue_messages",
            "Messages ready in each of the service's queues (read at scrape time)",
            ["queue"],
            registry=registry,
        )
        self.queue_consumers = Gauge(
            "grassroots_queue_consumers",
            "Consumers on each of the service's queues, all replicas together (read at scrape time)",
            ["queue"],
            registry=registry,
        )
        self.scrape_probe_failures = Counter(
            "grassroots_scrape_probe_failures",
            "Scrape-time queries that failed (their gauges keep their last values)",
            ["probe"],
            registry=registry,
        )
        self._probes: list[ScrapeProbe] = []
        self._refresh_seconds = refresh_seconds
        self._refreshed_at = float("-inf")
        self._refreshing = asyncio.Lock()

    def add_probe(self, probe: ScrapeProbe) -> None:
        """A query run at scrape time (at most once per refresh interval) that sets gauges."""
        self._probes.append(probe)

    async def exposition(self) -> bytes:
        """The registry in Prometheus' text format, with the scrape-time gauges fresh enough."""
        async with self._refreshing:
            if time.monotonic() - self._refreshed_at >= self._refresh_seconds:
                for probe in self._probes:
                    try:
                        await asyncio.wait_for(probe(self), timeout=2)
                    except Exception as error:  # a scrape must still answer while the database is away
                        self.scrape_probe_failures.labels(getattr(probe, "__name__", "probe")).inc()
                        log.warning(
                            "metrics probe failed",
                            probe=getattr(probe, "__name__", "probe"),
                            error=repr(error),
                        )
                self._refreshed_at = time.monotonic()
        return generate_latest(self.registry)


def set_by_label(gauge: Gauge, values: dict[str, float]) -> None:
    """Set a labelled gauge to exactly these values: a label that no longer has a value is dropped."""
    gauge.clear()
    for label, value in values.items():
        gauge.labels(label).set(value)
