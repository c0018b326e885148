"""Dispatch's gauges for /metrics, read at scrape time: open and overdue cases by street (the `cases_board`
index on status and deadline serves it), and the cases resolved in the last 30 days by street and whether in
time, for the SLA compliance (the `cases_resolved_at` index)."""

from __future__ import annotations

from datetime import timedelta

from services.dispatch.domain.lifecycle import OPEN
from shared.observability.metrics import ServiceMetrics, set_by_label

_OPEN_BY_STREET = """
SELECT street_code, count(*) AS open, count(*) FILTER (WHERE deadline < $2) AS overdue
FROM cases WHERE status = ANY($1::text[])
GROUP BY street_code
"""


_RESOLVED_BY_STREET = """
SELECT street_code, resolved_in_time, count(*) AS resolved
FROM cases WHERE resolved_at >= $1 AND resolved_in_time IS NOT NULL
GROUP BY street_code, resolved_in_time
"""
SLA_WINDOW = timedelta(days=30)


async def open_cases_by_street(runtime, metrics: ServiceMetrics) -> None:
    rows = await runtime.pool.fetch(_OPEN_BY_STREET, sorted(OPEN), runtime.context.clock.now(), timeout=2)
    set_by_label(metrics.cases_open, {row["street_code"]: row["open"] for row in rows})
    set_by_label(metrics.cases_overdue, {row["street_code"]: row["overdue"] for row in rows})
    now = runtime.context.clock.now()
    resolved = await runtime.pool.fetch(_RESOLVED_BY_STREET, now - SLA_WINDOW, timeout=2)
    metrics.cases_resolved_recently.clear()
    for row in resolved:
        in_time = "true" if row["resolved_in_time"] else "false"
        metrics.cases_resolved_recently.labels(row["street_code"], in_time).set(row["resolved"])
