"""Dispatch's gauges for /metrics, read at scrape time: open and overdue cases by street (the `cases_board`
index on status and deadline serves it)."""

from __future__ import annotations

from services.dispatch.domain.lifecycle import OPEN
from shared.observability.metrics import ServiceMetrics, set_by_label

_OPEN_BY_STREET = """
SELECT street_code, count(*) AS open, count(*) FILTER (WHERE deadline < $2) AS overdue
FROM cases WHERE status = ANY($1::text[])
GROUP BY street_code
"""


async def open_cases_by_street(runtime, metrics: ServiceMetrics) -> None:
    rows = await runtime.pool.fetch(_OPEN_BY_STREET, sorted(OPEN), runtime.context.clock.now(), timeout=2)
    set_by_label(metrics.cases_open, {row["street_code"]: row["open"] for row in rows})
    set_by_label(metrics.cases_overdue, {row["street_code"]: row["overdue"] for row in rows})
