"""The history loader, run small: what it writes keeps the services' invariants, and the services answer on it."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import httpx
import pytest

from bench.environment import AUTH_SECRET, installation, start_services
from bench.history import HistoryPlan, load_history
from bench.reads import measure_reads
from shared.auth import issue_token
from shared.reference import ReferenceBundle

REPORTS = 500

# Every foreign key of the tables the loader fills, as (child, column, parent, column).
REFERENCES = [
    ("patrol.report_photos", "report_id", "patrol.reports", "report_id"),
    ("patrol.open311_requests", "report_id", "patrol.reports", "report_id"),
    ("patrol.open311_requests", "key_id", "patrol.open311_api_keys", "key_id"),
    ("patrol.shifts", "watcher_id", "patrol.watchers", "watcher_id"),
    ("patrol.case_reports", "report_id", "patrol.reports", "report_id"),
    ("dispatch.reports", "case_id", "dispatch.cases", "case_id"),
    ("dispatch.cases", "merged_into", "dispatch.cases", "case_id"),
    ("dispatch.case_transitions", "case_id", "dispatch.cases", "case_id"),
    ("dispatch.escalations", "case_id", "dispatch.cases", "case_id"),
    ("notify.delivery_attempts", "delivery_id", "notify.deliveries", "delivery_id"),
    ("notify.contact_points", "recipient_id", "notify.recipients", "recipient_id"),
]


async def _orphans(conn: asyncpg.Connection, child: str, column: str, parent: str, key: str) -> int:
    return await conn.fetchval(
        f"""SELECT count(*) FROM {child} c WHERE c.{column} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{key} = c.{column})"""
    )


@pytest.mark.timeout(90)
async def test_a_small_history_keeps_every_invariant_and_the_services_answer_on_it(infra_config, monkeypatch):
    monkeypatch.setenv("ADMIN_DATABASE_URL", infra_config.admin_url)
    monkeypatch.setenv("RABBITMQ_URL", infra_config.rabbitmq_url)
    async with installation("http://127.0.0.1:9/unused") as install:
        await start_services(install)
        plan = HistoryPlan(REPORTS)
        loaded = await load_history(install.admin_database_url, ReferenceBundle.load(install.bundle), plan)
        rows = loaded["rows"]
        assert rows["patrol.reports"] == rows["dispatch.reports"] == rows["dispatch.cases"] == REPORTS
        assert rows["patrol.watchers"] == REPORTS // 10
        assert rows["patrol.shifts"] >= 3652  # ten years, one a day at least
        assert rows["dispatch.case_transitions"] > 3 * REPORTS
        assert (
            rows["notify.deliveries"] > REPORTS
        )  # every case's unit heard of it, and reporters of resolutions

        conn = await asyncpg.connect(install.admin_database_url)
        try:
            for reference in REFERENCES:
                assert await _orphans(conn, *reference) == 0, reference
            # one case per report, or the report moved into the case its own was merged into
            held = await conn.fetch(
                """SELECT r.report_id, c.status, c.primary_report_id = r.report_id AS own
                     FROM dispatch.reports r JOIN dispatch.cases c USING (case_id)"""
            )
            assert all(row["status"] != "merged" for row in held)
            merged = await conn.fetch("SELECT * FROM dispatch.cases WHERE status = 'merged'")
            assert merged and len([row for row in held if not row["own"]]) == len(merged)
            assert all(case["merged_into"] is not None for case in merged)
            # every state a live system has, and each case's audit trail starts with its opening
            statuses = {
                row["status"] for row in await conn.fetch("SELECT DISTINCT status FROM dispatch.cases")
            }
            assert {"closed", "merged", "cancelled", "resolved"} <= statuses
            first_actions = await conn.fetch(
                """SELECT DISTINCT ON (case_id) action FROM dispatch.case_transitions
                    ORDER BY case_id, transition_id"""
            )
            assert {row["action"] for row in first_actions} == {"open"} and len(first_actions) == REPORTS
            # what patrol's projection shows agrees with dispatch: the same cases, each report on its case
            assert (
                await conn.fetchval(
                    """SELECT count(*) FROM dispatch.reports d
                    WHERE NOT EXISTS (SELECT 1 FROM patrol.case_reports p
                                       WHERE p.case_id = d.case_id AND p.report_id = d.report_id)"""
                )
                == 0
            )
            # retention: only routed rows newer than the window are left (unroutable ones stay for an operator)
            cutoff = plan.now - timedelta(days=plan.retention_days)
            for schema in ("patrol", "dispatch", "notify"):
                assert (
                    await conn.fetchval(
                        f"SELECT count(*) FROM {schema}.outbox WHERE published_at < $1 AND NOT unroutable",
                        cutoff,
                    )
                    == 0
                )
                assert (
                    await conn.fetchval(f"SELECT count(*) FROM {schema}.inbox WHERE handled_at < $1", cutoff)
                    == 0
                )
            # the sequences go on after the history: the next case and watcher numbers are new
            assert await conn.fetchval("SELECT last_value FROM dispatch.case_numbers") == REPORTS
            assert await conn.fetchval("SELECT last_value FROM patrol.watcher_numbers") == REPORTS // 10
        finally:
            await conn.close()

        reads = await measure_reads(install, calls=3)  # raises on any answer but 200
        assert all(figures["p50_ms"] > 0 for figures in reads.values())
        watcher = issue_token(AUTH_SECRET, "w-0001", ["watcher"], community_code="WG-TJ")
        async with httpx.AsyncClient(base_url=install.base_url("patrol")) as client:
            mine = (await client.get("/me/reports", headers={"Authorization": f"Bearer {watcher}"})).json()["items"]
        assert mine and all(report["status"] for report in mine)
