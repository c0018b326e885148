"""Reading cases: the dispatcher's board, a unit's inbox, one case, its timeline. Read-only, no transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from services.dispatch.domain.errors import CaseNotFound
from services.dispatch.domain.lifecycle import OPEN, allowed_actions
from services.dispatch.handlers.open_cases import IS_OPEN

CASE_SUMMARY = """case_id, case_number, primary_report_id, category, severity, status, unit_id, community_code, street_code,
    grid_code, address, deadline, escalation_level, escalated_to, opened_at, resolved_at, closed_at, reopen_count,
    (SELECT count(*) FROM reports r WHERE r.case_id = cases.case_id AND r.withdrawn_at IS NULL) AS report_count"""


@dataclass(frozen=True)
class BoardFilter:
    status: str | None = None
    unit_id: str | None = None
    community_code: str | None = None
    street_code: str | None = None
    category: str | None = None
    overdue: bool | None = None
    communities: list[str] | None = None  # the caller's scope; None: the whole district


def summarise(row: asyncpg.Record, now: datetime) -> dict[str, Any]:
    case = dict(row)
    open_ = case["status"] in OPEN
    case["remaining_seconds"] = int((case["deadline"] - now).total_seconds()) if open_ else None
    case["overdue"] = open_ and case["deadline"] < now
    return case


async def board(
    conn: asyncpg.Connection, where: BoardFilter, now: datetime, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Cases matching the filter, soonest deadline first, one page of them, and how many match in all."""
    clauses, args = ["TRUE"], []
    for column in ("status", "unit_id", "community_code", "street_code"):
        value = getattr(where, column)
        if value is not None:
            args.append(value)
            clauses.append(f"{column} = ${len(args)}")
    if where.communities is not None:
        args.append(where.communities)
        clauses.append(f"community_code = ANY(${len(args)}::text[])")
    if where.category is not None:
        args.append(where.category)
        clauses.append(
            f"(category = ${len(args)} OR (right(${len(args)}, 2) = '.*' "
            f"AND category LIKE left(${len(args)}, -1) || '%'))"
        )
    if where.overdue is not None:
        args += [now, sorted(OPEN)]
        test = f"(status = ANY(${len(args)}::text[]) AND deadline < ${len(args) - 1})"
        clauses.append(test if where.overdue else f"NOT {test}")
    condition = " AND ".join(clauses)
    total = await conn.fetchval(f"SELECT count(*) FROM cases WHERE {condition}", *args)
    rows = await conn.fetch(
        f"""SELECT {CASE_SUMMARY} FROM cases WHERE {condition}
            ORDER BY deadline, case_id LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}""",
        *args,
        limit,
        offset,
    )
    return [summarise(row, now) for row in rows], int(total)


async def inbox(
    conn: asyncpg.Connection, unit_id: str, now: datetime, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """The unit's open cases, and the open cases escalated to it, soonest deadline first: one page of them, and
    how many there are in all."""
    condition = f"(unit_id = $1 OR escalated_to = $1) AND {IS_OPEN}"
    total = await conn.fetchval(f"SELECT count(*) FROM cases WHERE {condition}", unit_id)
    rows = await conn.fetch(
        f"""SELECT {CASE_SUMMARY} FROM cases WHERE {condition}
            ORDER BY deadline, case_id LIMIT $2 OFFSET $3""",
        unit_id,
        limit,
        offset,
    )
    return [summarise(row, now) for row in rows], int(total)


async def case_detail(conn: asyncpg.Connection, case_id: UUID, now: datetime) -> dict[str, Any]:
    row = await conn.fetchrow("SELECT * FROM cases WHERE case_id = $1", case_id)
    if row is None:
        raise CaseNotFound("case", case_id)
    case = summarise(row, now)
    case["allowed_actions"] = allowed_actions(row["status"])
    reports = await conn.fetch(
        """SELECT report_id, category, description, reporter_kind, reporter_id, photo_urls, attributes,
                  reported_at, merged_by, merged_at, withdrawn_at FROM reports WHERE case_id = $1
            ORDER BY reported_at""",
        case_id,
    )
    case["reports"] = [dict(report) for report in reports]
    case["reporter_count"] = len(
        {(r["reporter_kind"], r["reporter_id"]) for r in reports if not r["withdrawn_at"]}
    )
    return case


async def timeline(conn: asyncpg.Connection, case_id: UUID) -> list[dict[str, Any]]:
    """Every transition of the case in order: who, when, from, to, why."""
    if not await conn.fetchval("SELECT true FROM cases WHERE case_id = $1", case_id):
        raise CaseNotFound("case", case_id)
    rows = await conn.fetch(
        """SELECT action, from_status, to_status, actor, reason, at FROM case_transitions
           WHERE case_id = $1 ORDER BY transition_id""",
        case_id,
    )
    return [dict(row) for row in rows]
