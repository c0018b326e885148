"""A dispatcher merges duplicate cases into one, or splits a report out of a case into a case of its own."""

from __future__ import annotations

from uuid import UUID

from services.dispatch.context import DispatchContext
from services.dispatch.domain.errors import InvalidInput
from services.dispatch.domain.lifecycle import OPEN
from services.dispatch.handlers.access import ensure_visible, scope_for
from services.dispatch.handlers.opening import StoredReport, open_case
from services.dispatch.handlers.store import audit, lock_case, reporters_of, transition
from shared.auth import Principal
from shared.events.catalogue.common import PersonRef
from shared.events.catalogue.hazard import HazardMerged
from shared.unit_of_work import UnitOfWork


async def merge_cases(uow: UnitOfWork, case_id: UUID, into_case_id: UUID, principal: Principal) -> None:
    """Every report of `case_id` joins `into_case_id`; `case_id` ends as merged (hazard.merged per report)."""
    if case_id == into_case_id:
        raise InvalidInput("into_case_id", "a case cannot be merged into itself")
    conn, now = uow.conn, _context(uow).clock.now()
    locked = {cid: await lock_case(conn, cid) for cid in sorted((case_id, into_case_id))}  # one lock order
    source, target = locked[case_id], locked[into_case_id]
    scope = scope_for(uow, principal)
    ensure_visible(scope, source)
    ensure_visible(scope, target)
    uow.continue_story(target["correlation_id"])  # the moved reports join the story of the case they join
    if target["status"] not in OPEN:
        raise InvalidInput("into_case_id", f"case {into_case_id} is {target['status']}, not open")
    await transition(
        conn,
        source,
        "merge",
        actor=principal.subject,
        at=now,
        reason=f"merged into case {into_case_id}",
        changes={"merged_into": into_case_id, "escalate_at": None},
    )
    moved = await conn.fetch(
        """UPDATE reports SET case_id = $1, merged_by = 'dispatcher', merged_at = $3
           WHERE case_id = $2 RETURNING report_id, reporter_kind, reporter_id""",
        into_case_id,
        case_id,
        now,
    )
    count = len(await reporters_of(conn, into_case_id))
    await audit(
        conn,
        into_case_id,
        "note",
        target["status"],
        target["status"],
        actor=principal.subject,
        at=now,
        reason=f"case {case_id} merged in ({len(moved)} reports); {count} reporters",
    )
    for report in moved:
        await uow.emit(
            HazardMerged(
                report_id=report["report_id"],
                case_id=into_case_id,
                case_number=target["case_number"],
                primary_report_id=target["primary_report_id"],
                reporter=PersonRef(kind=report["reporter_kind"], id=report["reporter_id"]),
                merged_by="dispatcher",
                merged_at=now,
            )
        )


async def split_report(uow: UnitOfWork, case_id: UUID, report_id: UUID, principal: Principal) -> UUID:
    """The report leaves the case and opens a case of its own, routed afresh (dispatch.assigned)."""
    conn, now = uow.conn, _context(uow).clock.now()
    case = await lock_case(conn, case_id)
    ensure_visible(scope_for(uow, principal), case)
    uow.continue_story(case["correlation_id"])
    report = await conn.fetchrow("SELECT * FROM reports WHERE report_id = $1 FOR UPDATE", report_id)
    if report is None or report["case_id"] != case_id:
        raise InvalidInput("report_id", f"report {report_id} is not part of case {case_id}")
    if report_id == case["primary_report_id"]:
        raise InvalidInput("report_id", "the report that opened the case cannot be split from it")
    if case["status"] not in OPEN:
        raise InvalidInput("case_id", f"case {case_id} is {case['status']}, not open", where="path")
    new_case = await open_case(
        uow, StoredReport.from_row(report), actor=principal.subject, at=now, note=f"split from case {case_id}"
    )
    await audit(
        conn,
        case_id,
        "note",
        case["status"],
        case["status"],
        actor=principal.subject,
        at=now,
        reason=f"report {report_id} split into case {new_case}",
    )
    return new_case


def _context(uow: UnitOfWork) -> DispatchContext:
    return uow.context
