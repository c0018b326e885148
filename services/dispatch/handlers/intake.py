"""Consuming patrol's reports: each opens a case, or joins an open case of the same hazard nearby."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.dispatch.context import DispatchContext
from services.dispatch.domain.lifecycle import OPEN, TRANSITIONS
from services.dispatch.handlers.open_cases import IS_OPEN
from services.dispatch.handlers.opening import StoredReport, open_case
from services.dispatch.handlers.store import audit, lock_case, reporters_of, transition
from shared.events import Event
from shared.events.catalogue.dispatch import DispatchCancelled
from shared.events.catalogue.hazard import HazardMerged, HazardReported, HazardWithdrawn
from shared.unit_of_work import UnitOfWork

SYSTEM = "dispatch"


# A report and its withdrawal travel on separate queues: whichever comes second must see the first, so both take
# the report's lock. A report takes its category's lock too, first; both in one round trip (a select list is
# evaluated from left to right).
_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"
_LOCK_CATEGORY_THEN_REPORT = (
    "SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), pg_advisory_xact_lock(hashtextextended($2, 0))"
)
# Dispatch's copy of the report, with the withdrawal that came before it (if any) copied onto it at once.
# No row back means the report was stored before.
_STORE_REPORT = """
INSERT INTO reports (report_id, kind, category, description, lat, lon, address, community_code, street_code,
    grid_code, severity, reporter_kind, reporter_id, photo_urls, reported_at, received_at, attributes,
    withdrawn_at, withdrawal_reason)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
    (SELECT withdrawn_at FROM withdrawals WHERE report_id = $1),
    (SELECT reason FROM withdrawals WHERE report_id = $1))
ON CONFLICT (report_id) DO NOTHING
RETURNING withdrawn_at
"""


def _report_key(report_id: UUID) -> str:
    return f"dispatch.report:{report_id}"


async def handle_hazard_reported(uow: UnitOfWork, event: Event[HazardReported]) -> None:
    """Opens a case from the report and routes it to its unit (dispatch.assigned), or merges the report into
    an open case of the same category close by (hazard.merged). A withdrawal that came first is honoured."""
    context: DispatchContext = uow.context
    report, conn, now = event.data, uow.conn, context.clock.now()
    # Reports of one category are taken one at a time, so two near-duplicates cannot both open a case.
    await conn.execute(
        _LOCK_CATEGORY_THEN_REPORT, f"dispatch.category:{report.category}", _report_key(report.report_id)
    )
    stored = await conn.fetchrow(
        _STORE_REPORT,
        report.report_id,
        report.kind,
        report.category,
        report.description,
        report.location.lat,
        report.location.lon,
        report.location.address,
        report.community_code,
        report.street_code,
        report.grid_code,
        report.severity,
        report.reporter.kind,
        report.reporter.id,
        report.photo_urls,
        report.reported_at,
        now,
        report.attributes,
    )
    if stored is None:
        return  # the same report again (another event id): the case exists already
    if stored["withdrawn_at"] is not None:
        return  # withdrawn before it came: it opens no case
    primary = await _merge_candidate(conn, report, context)
    case = await lock_case(conn, primary["case_id"]) if primary is not None else None
    if case is None or case["status"] not in OPEN:  # none near, or it was resolved meanwhile
        opening = StoredReport(
            report.report_id, report.category, report.severity, report.community_code, report.street_code
        )
        await open_case(uow, opening, actor=SYSTEM, at=now)
        return
    uow.continue_story(case["correlation_id"])  # a merged report's events belong to the case's story
    await conn.execute(
        "UPDATE reports SET case_id = $1, merged_by = 'automatic', merged_at = $2 WHERE report_id = $3",
        case["case_id"],
        now,
        report.report_id,
    )
    count = len(await reporters_of(conn, case["case_id"]))
    await audit(
        conn,
        case["case_id"],
        "note",
        case["status"],
        case["status"],
        actor=SYSTEM,
        at=now,
        reason=f"report {report.report_id} merged ({primary['distance']:.0f} m away); {count} reporters",
    )
    await uow.emit(
        HazardMerged(
            report_id=report.report_id,
            case_id=case["case_id"],
            case_number=case["case_number"],
            primary_report_id=case["primary_report_id"],
            reporter=report.reporter,
            merged_by="automatic",
            merged_at=now,
        )
    )


async def _merge_candidate(
    conn: asyncpg.Connection, report: HazardReported, context: DispatchContext
) -> asyncpg.Record | None:
    """The nearest open case of the same category within the merge distance and window, if any."""
    lat, lon = report.location.lat, report.location.lon
    if lat is None or lon is None:
        return None
    policy = context.policy
    return await conn.fetchrow(
        f"""SELECT case_id, distance_m(lat, lon, $2, $3) AS distance FROM cases
           WHERE category = $1 AND {IS_OPEN}
             AND lat BETWEEN $2 - $7::float8 AND $2 + $7::float8
             AND reported_at BETWEEN $4::timestamptz - $5::interval AND $4::timestamptz + $5::interval
             AND distance_m(lat, lon, $2, $3) <= $6
           ORDER BY distance, reported_at LIMIT 1""",
        report.category,
        lat,
        lon,
        report.reported_at,
        policy.merge_window,
        policy.merge_distance_m,
        # the latitude band that can hold a point within the merge distance (one degree is 111,195 m on the
        # sphere distance_m uses), with a margin: the exact test is distance_m
        policy.merge_distance_m / 111_195 * 1.01 + 1e-6,
    )


async def handle_hazard_withdrawn(uow: UnitOfWork, event: Event[HazardWithdrawn]) -> None:
    """Cancels the report's case when no unit holds it accepted and nobody else reported it
    (dispatch.cancelled); otherwise the case goes on and the withdrawal is noted. Remembered if it comes first."""
    context: DispatchContext = uow.context
    withdrawal, conn, now = event.data, uow.conn, context.clock.now()
    await conn.execute(_LOCK, _report_key(withdrawal.report_id))
    await conn.execute(
        "INSERT INTO withdrawals (report_id, reason, withdrawn_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        withdrawal.report_id,
        withdrawal.reason,
        withdrawal.withdrawn_at,
    )
    report = await conn.fetchrow("SELECT * FROM reports WHERE report_id = $1", withdrawal.report_id)
    if report is None or report["withdrawn_at"] is not None:
        return
    case = None
    while report["case_id"] is not None and (case is None or case["case_id"] != report["case_id"]):
        # the case first, then the report: the order every command on a case takes (a split may move it)
        case = await lock_case(conn, report["case_id"])
        uow.continue_story(case["correlation_id"])
        report = await conn.fetchrow("SELECT * FROM reports WHERE report_id = $1", withdrawal.report_id)
    await conn.execute(
        "UPDATE reports SET withdrawn_at = $2, withdrawal_reason = $3 WHERE report_id = $1",
        withdrawal.report_id,
        withdrawal.withdrawn_at,
        withdrawal.reason,
    )
    if case is None:
        return
    others = await reporters_of(conn, case["case_id"])
    note = f"report {withdrawal.report_id} withdrawn: {withdrawal.reason}"
    if not others and (case["status"], "withdraw") in TRANSITIONS:
        await transition(
            conn, case, "withdraw", actor=SYSTEM, at=now, reason=note, changes={"escalate_at": None}
        )
        await uow.emit(
            DispatchCancelled(
                case_id=case["case_id"],
                case_number=case["case_number"],
                unit_id=case["unit_id"],
                reason=withdrawal.reason,
                cancelled_at=now,
            )
        )
        return
    await audit(
        conn, case["case_id"], "note", case["status"], case["status"], actor=SYSTEM, at=now, reason=note
    )
