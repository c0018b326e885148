"""Opening a case (立案) from a stored report and routing it to its unit (派遣)."""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

from services.dispatch.context import DispatchContext
from services.dispatch.handlers.store import audit, find_route
from shared.events.catalogue.dispatch import DispatchAssigned
from shared.unit_of_work import UnitOfWork


async def open_case(
    uow: UnitOfWork, report_id: UUID, *, actor: str, at: datetime, note: str | None = None
) -> UUID:
    """A new case holding the report, routed by the rules, with its deadline; publishes dispatch.assigned."""
    context: DispatchContext = uow.context
    conn = uow.conn
    report = await conn.fetchrow("SELECT * FROM reports WHERE report_id = $1", report_id)
    assert report is not None, "the report is stored before its case is opened"
    decision = await find_route(conn, report["category"], report["community_code"], report["street_code"])
    deadline = context.policy.deadline(report["severity"], report["category"], at)
    case_id = uuid.uuid4()
    await conn.execute(
        """INSERT INTO cases (case_id, primary_report_id, kind, category, description, lat, lon, address,
               community_code, street_code, grid_code, severity, status, unit_id, routing_reason, deadline,
               escalate_at, reported_at, opened_at, updated_at)
           SELECT $1, report_id, kind, category, description, lat, lon, address, community_code, street_code,
               grid_code, severity, 'assigned', $2, $3, $4, $4, reported_at, $5, $5
           FROM reports WHERE report_id = $6""",
        case_id,
        decision.unit_id,
        decision.reason,
        deadline,
        at,
        report_id,
    )
    await conn.execute(
        "UPDATE reports SET case_id = $1, merged_by = NULL, merged_at = NULL WHERE report_id = $2",
        case_id,
        report_id,
    )
    reason = decision.reason if note is None else f"{note}; {decision.reason}"
    await audit(conn, case_id, "open", None, "assigned", actor=actor, at=at, reason=reason)
    await uow.emit(
        DispatchAssigned(
            case_id=case_id,
            report_ids=[report_id],
            unit_id=decision.unit_id,
            category=report["category"],
            severity=report["severity"],
            community_code=report["community_code"],
            street_code=report["street_code"],
            deadline=deadline,
            reason=decision.reason,
            assigned_at=at,
        )
    )
    return case_id
