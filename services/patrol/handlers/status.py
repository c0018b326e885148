"""The reporter's status projection: dispatch's events about a case become entries in its reports' timelines.

Each handler records one entry (keyed by case, event type and time, so a republished copy adds nothing) and the
case's reports where the event names them. Nothing is overwritten: the current status is read from the newest
entry, whatever order the events came in.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from services.patrol.context import PatrolContext
from services.patrol.domain import report_status as notes
from services.patrol.domain.report_status import Entry
from shared.events import Event
from shared.events.catalogue.dispatch import (
    DispatchAccepted,
    DispatchAssigned,
    DispatchCancelled,
    DispatchEscalated,
    DispatchReassigned,
    DispatchReturned,
)
from shared.events.catalogue.hazard import HazardMerged
from shared.events.catalogue.issue import IssueClosed, IssueReopened, IssueResolved
from shared.unit_of_work import UnitOfWork


def unit_name(context: PatrolContext, unit_id: str) -> str:
    return next((unit.name_zh for unit in context.bundle.units if unit.id == unit_id), unit_id)


async def _record(uow: UnitOfWork, case_id: UUID, entry: Entry, report_ids: Iterable[UUID] = ()) -> None:
    # one statement: the timeline entry, and the case's reports where the event names them
    await uow.conn.execute(
        """WITH entry AS (
               INSERT INTO case_history (case_id, event_type, occurred_at, status, note, unit_id, deadline, precedence)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
           )
           INSERT INTO case_reports (case_id, report_id)
           SELECT $1, report_id FROM unnest($9::uuid[]) AS named(report_id) ON CONFLICT DO NOTHING""",
        case_id,
        entry.event_type,
        entry.occurred_at,
        entry.status,
        entry.note,
        entry.unit_id,
        entry.deadline,
        entry.precedence,
        list(report_ids),
    )


async def on_assigned(uow: UnitOfWork, event: Event[DispatchAssigned]) -> None:
    data = event.data
    note = notes.assigned_note(unit_name(uow.context, data.unit_id), data.deadline)
    entry = Entry(event.envelope.type, data.assigned_at, "assigned", note, data.unit_id, data.deadline)
    await _record(uow, data.case_id, entry, data.report_ids)


async def on_accepted(uow: UnitOfWork, event: Event[DispatchAccepted]) -> None:
    data = event.data
    note = notes.accepted_note(unit_name(uow.context, data.unit_id))
    await _record(
        uow, data.case_id, Entry(event.envelope.type, data.accepted_at, "accepted", note, data.unit_id)
    )


async def on_escalated(uow: UnitOfWork, event: Event[DispatchEscalated]) -> None:
    data = event.data
    note = notes.escalated_note(unit_name(uow.context, data.escalated_to), data.deadline)
    entry = Entry(event.envelope.type, data.escalated_at, "escalated", note, data.escalated_to)
    await _record(uow, data.case_id, entry)


async def on_returned(uow: UnitOfWork, event: Event[DispatchReturned]) -> None:
    data = event.data
    await _record(
        uow, data.case_id, Entry(event.envelope.type, data.returned_at, "returned", notes.returned_note())
    )


async def on_reassigned(uow: UnitOfWork, event: Event[DispatchReassigned]) -> None:
    data = event.data
    note = notes.reassigned_note(unit_name(uow.context, data.to_unit_id), data.deadline)
    entry = Entry(event.envelope.type, data.reassigned_at, "assigned", note, data.to_unit_id, data.deadline)
    await _record(uow, data.case_id, entry)


async def on_resolved(uow: UnitOfWork, event: Event[IssueResolved]) -> None:
    data = event.data
    note = notes.resolved_note(unit_name(uow.context, data.unit_id), data.note)
    entry = Entry(event.envelope.type, data.resolved_at, "resolved", note, data.unit_id)
    await _record(uow, data.case_id, entry, data.report_ids)


async def on_reopened(uow: UnitOfWork, event: Event[IssueReopened]) -> None:
    data = event.data
    note = notes.reopened_note(unit_name(uow.context, data.unit_id), data.deadline)
    entry = Entry(event.envelope.type, data.reopened_at, "reopened", note, data.unit_id, data.deadline)
    await _record(uow, data.case_id, entry)


async def on_closed(uow: UnitOfWork, event: Event[IssueClosed]) -> None:
    data = event.data
    note = notes.closed_note(data.closed_automatically)
    await _record(uow, data.case_id, Entry(event.envelope.type, data.closed_at, "closed", note))


async def on_cancelled(uow: UnitOfWork, event: Event[DispatchCancelled]) -> None:
    data = event.data
    note = notes.cancelled_note(data.reason)
    await _record(uow, data.case_id, Entry(event.envelope.type, data.cancelled_at, "cancelled", note))


async def on_merged(uow: UnitOfWork, event: Event[HazardMerged]) -> None:
    data = event.data
    await uow.conn.execute(
        """INSERT INTO report_history (report_id, event_type, occurred_at, status, note, precedence)
           VALUES ($1, $2, $3, 'merged', $4, $5) ON CONFLICT DO NOTHING""",
        data.report_id,
        event.envelope.type,
        data.merged_at,
        notes.merged_note(),
        notes.PRECEDENCE["merged"],
    )
    await uow.conn.executemany(
        "INSERT INTO case_reports (case_id, report_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        [(data.case_id, data.report_id), (data.case_id, data.primary_report_id)],
    )
