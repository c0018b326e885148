"""Statistics by community, street, category or unit, computed by PostgreSQL.

Counted: every case that was not cancelled or merged away, opened in the period. Time to resolve is from
opening to the latest resolution, in hours, over resolved and closed cases. "Closed within deadline" is the
share of closed cases whose (latest) resolution came before its deadline. The reopen rate is the share of
cases resolved at least once that were reopened.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import asyncpg

GroupBy = Literal["community", "street", "category", "unit"]
COLUMNS: dict[str, str] = {
    "community": "community_code",
    "street": "street_code",
    "category": "category",
    "unit": "unit_id",
}

_STATISTICS = """
WITH counted AS (
    SELECT {column} AS key, status, deadline, resolved_in_time, reopen_count,
           extract(epoch FROM resolved_at - opened_at) / 3600.0 AS hours_to_resolve
    FROM cases
    WHERE status NOT IN ('cancelled', 'merged')
      -- no period is all time; written as a range rather than 'IS NULL OR', so that a generic plan can use the
      -- index of opening times too
      AND opened_at >= coalesce($1::timestamptz, '-infinity') AND opened_at < coalesce($2::timestamptz, 'infinity')
      AND ($4::text[] IS NULL OR community_code = ANY($4))
)
SELECT key,
       count(*) AS cases,
       count(*) FILTER (WHERE status IN ('assigned', 'accepted', 'in_progress', 'reopened', 'returned')) AS open,
       count(*) FILTER (WHERE status IN ('assigned', 'accepted', 'in_progress', 'reopened', 'returned')
                          AND deadline < $3) AS overdue,
       count(*) FILTER (WHERE status = 'resolved') AS resolved,
       count(*) FILTER (WHERE status = 'closed') AS closed,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY hours_to_resolve)
           FILTER (WHERE status IN ('resolved', 'closed')) AS median_hours_to_resolve,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY hours_to_resolve)
           FILTER (WHERE status IN ('resolved', 'closed')) AS p90_hours_to_resolve,
       (count(*) FILTER (WHERE status = 'closed' AND resolved_in_time))::float8
           / nullif(count(*) FILTER (WHERE status = 'closed'), 0) AS closed_within_deadline,
       (count(*) FILTER (WHERE reopen_count > 0))::float8
           / nullif(count(*) FILTER (WHERE reopen_count > 0 OR status IN ('resolved', 'closed')), 0) AS reopen_rate
FROM counted GROUP BY key ORDER BY key
"""


async def statistics(
    conn: asyncpg.Connection,
    by: GroupBy,
    now: datetime,
    *,
    opened_from: datetime | None = None,
    opened_before: datetime | None = None,
    communities: list[str] | None = None,
) -> list[dict[str, Any]]:
    """`communities`: only the cases of these (the caller's scope); None: the whole district."""
    rows = await conn.fetch(
        _STATISTICS.format(column=COLUMNS[by]), opened_from, opened_before, now, communities
    )
    return [dict(row) for row in rows]
