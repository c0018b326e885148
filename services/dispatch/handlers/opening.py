"""Opening a case (立案) from a stored report and routing it to its unit (派遣)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.dispatch.context import DispatchContext
from services.dispatch.handlers.store import find_route
from shared.events.catalogue.dispatch import DispatchAssigned
from shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class StoredReport:
    """What opening a case needs to know of a report already in `reports` (the case copies the rest from it)."""

    report_id: UUID
    category: str
    severity: str
    community_code: str
    street_code: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> StoredReport:
        return cls(
            row["report_id"], row["category"], row["severity"], row["community_code"], row["street_code"]
        )


# The three writes that open a case, in one round trip: the case, copied from its report; the report, now
# held by it; the audit entry, as store.audit writes it. The foreign keys to the new case are checked when the
# statement ends, by which time the case exists. No row back means the report is not stored; the row names the
# case's number.
_OPEN_CASE = """
WITH numbered AS (  -- six digits at least, and every digit past a million: lpad alone would cut them off
    SELECT nextval('case_numbers')::text AS n
), opened AS (
    INSERT INTO cases (case_id, primary_report_id, kind, category, description, lat, lon, address,
        community_code, street_code, grid_code, severity, status, unit_id, routing_reason, deadline,
        escalate_at, reported_at, opened_at, updated_at, case_number, correlation_id)
    SELECT $1, report_id, kind, category, description, lat, lon, address, community_code, street_code,
        grid_code, severity, 'assigned', $3, $4, $5, $5, reported_at, $6, $6,
        $9 || '-' || to_char($6 AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-' || lpad(n, greatest(6, length(n)), '0'),
        $10
    FROM reports, numbered WHERE report_id = $2
    RETURNING case_id, case_number
), held AS (
    UPDATE reports SET case_id = $1, merged_by = NULL, merged_at = NULL WHERE report_id = $2
)
INSERT INTO case_transitions (case_id, action, from_status, to_status, actor, reason, at)
SELECT case_id, 'open', NULL, 'assigned', $7, $8, $6 FROM opened
RETURNING (SELECT case_number FROM opened)
"""


async def open_case(
    uow: UnitOfWork, report: StoredReport, *, actor: str, at: datetime, note: str | None = None
) -> UUID:
    """A new case holding the report, routed by the rules, with its deadline; publishes dispatch.assigned."""
    context: DispatchContext = uow.context
    conn = uow.conn
    decision = await find_route(
        conn, context.routing, report.category, report.community_code, report.street_code
    )
    deadline = context.policy.deadline(report.severity, report.category, at)
    case_id = uuid.uuid4()
    if uow.correlation_id is None:  # a command with no story yet: the case starts one
        uow.continue_story(uuid.uuid4())
    case_number = await conn.fetchval(
        _OPEN_CASE,
        case_id,
        report.report_id,
        decision.unit_id,
        decision.reason,
        deadline,
        at,
        actor,
        decision.reason if note is None else f"{note}; {decision.reason}",
        context.settings.case_number_prefix,
        uow.correlation_id,
    )
    assert case_number, "the report is stored before its case is opened"
    await uow.emit(
        DispatchAssigned(
            case_id=case_id,
            case_number=case_number,
            report_ids=[report.report_id],
            unit_id=decision.unit_id,
            category=report.category,
            severity=report.severity,
            community_code=report.community_code,
            street_code=report.street_code,
            deadline=deadline,
            reason=decision.reason,
            assigned_at=at,
        )
    )
    return case_id
