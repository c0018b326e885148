"""The lookups that only want open cases (the merge lookup at intake, a unit's inbox) read only open cases, in
every plan PostgreSQL may cache for them, however many closed cases the years leave behind."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from types import SimpleNamespace

import asyncpg

from services.dispatch.domain.lifecycle import OPEN
from services.dispatch.domain.policy import Policy
from services.dispatch.handlers import queries
from services.dispatch.handlers.intake import _merge_candidate
from tests.integration.dispatch.helpers import START

CLOSED_CASES = 3000


class _Capture:
    """Stands in for a connection: keeps the statement and arguments instead of running them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple]] = []

    async def fetchrow(self, sql: str, *args):
        self.calls.append((sql, args))

    async def fetch(self, sql: str, *args):
        self.calls.append((sql, args))
        return []

    async def fetchval(self, sql: str, *args):
        self.calls.append((sql, args))
        return 0


def _literal(value: object) -> str:
    """An untyped SQL literal: the prepared statement gives it its parameter's type."""
    if isinstance(value, timedelta):
        value = f"{value.total_seconds()} seconds"
    elif isinstance(value, datetime):
        value = value.isoformat()
    return "'" + str(value).replace("'", "''") + "'"


OPEN_INDEXES = {"cases_merge_open", "cases_unit_open", "cases_escalated_open"}


async def _cases_read_by(pool: asyncpg.Pool, sql: str, args: tuple) -> list[str]:
    """How the generic plan of the statement reads the cases table: the index of each scan, or the scan type."""
    literals = ", ".join(_literal(value) for value in args)  # EXECUTE under EXPLAIN takes no parameters
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        await conn.execute(
            f"PREPARE lookup AS {sql}"
        )  # EXPLAIN of the statement itself would plan for the values
        try:
            explained = await conn.fetchval(f"EXPLAIN (FORMAT JSON) EXECUTE lookup({literals})")
        finally:
            await conn.execute("DEALLOCATE lookup")
    [plan] = json.loads(explained) if isinstance(explained, str) else explained  # the pool may decode json

    def scans(node: dict) -> list[str]:
        own = [node.get("Index Name", node["Node Type"])] if node.get("Relation Name") == "cases" else []
        return own + [scan for child in node.get("Plans", []) for scan in scans(child)]

    return scans(plan["Plan"])


async def _closed_history(pool: asyncpg.Pool) -> None:
    await pool.execute(
        """INSERT INTO cases (case_id, primary_report_id, kind, category, description, lat, lon, community_code,
                              street_code, severity, status, unit_id, routing_reason, deadline, reported_at,
                              opened_at, closed_at, updated_at, case_number)
           SELECT md5('c' || n)::uuid, md5('r' || n)::uuid, 'hazard', 'sanitation.garbage', 'old', 41.8 + n * 1e-7,
                  123.4, 'WG-TJ', 'WG', 'normal', 'closed', 'WG-TJ-property', 'rule', $1, $1, $1, $1, $1,
                  'DD-2025-' || lpad(n::text, 6, '0')
             FROM generate_series(1, $2) AS n""",
        START - timedelta(days=1),
        CLOSED_CASES,
    )
    await pool.execute("ANALYZE cases")


async def test_the_partial_indexes_hold_exactly_the_open_statuses(pool):
    for index in ("cases_merge_open", "cases_unit_open", "cases_escalated_open"):
        predicate = await pool.fetchval(
            "SELECT pg_get_expr(indpred, indrelid) FROM pg_index WHERE indexrelid = $1::regclass", index
        )
        named = {part.split("'")[1] for part in predicate.split("ARRAY[")[1].split(",")}
        assert named == set(OPEN), (index, predicate)


async def test_the_merge_lookup_and_the_inbox_read_the_open_case_indexes_even_in_a_generic_plan(pool):
    await _closed_history(pool)
    capture = _Capture()
    report = SimpleNamespace(
        category="sanitation.garbage", location=SimpleNamespace(lat=41.8, lon=123.4), reported_at=START
    )
    await _merge_candidate(capture, report, SimpleNamespace(policy=Policy()))
    await queries.inbox(capture, "WG-TJ-property", START, limit=50, offset=0)
    (merge_sql, merge_args), (count_sql, count_args), (inbox_sql, inbox_args) = capture.calls
    merge_reads = await _cases_read_by(pool, merge_sql, merge_args)
    assert merge_reads and set(merge_reads) <= OPEN_INDEXES, merge_reads
    for sql, args in ((count_sql, count_args), (inbox_sql, inbox_args)):  # the page and its total
        inbox_reads = await _cases_read_by(pool, sql, args)
        assert inbox_reads and set(inbox_reads) <= OPEN_INDEXES, (sql, inbox_reads)
