"""The commands on a case, each one transaction: checked transition, audit entry, event."""

from __future__ import annotations

from uuid import UUID

from services.dispatch.context import DispatchContext
from services.dispatch.domain.errors import InvalidInput
from services.dispatch.handlers.access import ensure_can_verify, ensure_member, ensure_visible, scope_for
from services.dispatch.handlers.store import (
    case_for_command,
    report_ids_of,
    reporters_of,
    transition,
    unit_exists,
)
from shared.auth import Principal
from shared.events.catalogue.dispatch import DispatchAccepted, DispatchReassigned, DispatchReturned
from shared.events.catalogue.issue import IssueClosed, IssueReopened, IssueResolved
from shared.unit_of_work import UnitOfWork


async def accept(uow: UnitOfWork, case_id: UUID, principal: Principal) -> None:
    case = await case_for_command(uow, case_id)
    ensure_member(scope_for(uow, principal), case)
    now = _now(uow)
    await transition(uow.conn, case, "accept", actor=principal.subject, at=now, changes={"accepted_at": now})
    await uow.emit(
        DispatchAccepted(
            case_id=case_id,
            case_number=case["case_number"],
            unit_id=case["unit_id"],
            accepted_by=principal.subject,
            accepted_at=now,
        )
    )


async def start(uow: UnitOfWork, case_id: UUID, principal: Principal) -> None:
    case = await case_for_command(uow, case_id)
    ensure_member(scope_for(uow, principal), case)
    await transition(uow.conn, case, "start", actor=principal.subject, at=_now(uow))


async def resolve(
    uow: UnitOfWork, case_id: UUID, principal: Principal, note: str, photo_url: str | None
) -> None:
    case = await case_for_command(uow, case_id)
    ensure_member(scope_for(uow, principal), case)
    now = _now(uow)
    await transition(
        uow.conn,
        case,
        "resolve",
        actor=principal.subject,
        at=now,
        reason=note,
        changes={
            "resolved_at": now,
            "resolved_by": principal.subject,
            "resolution_note": note,
            "resolution_photo_url": photo_url,
            "resolved_in_time": now <= case["deadline"],
            "escalate_at": None,
        },
    )
    await uow.emit(
        IssueResolved(
            case_id=case_id,
            case_number=case["case_number"],
            unit_id=case["unit_id"],
            report_ids=await report_ids_of(uow.conn, case_id),
            reporters=await reporters_of(uow.conn, case_id),
            resolved_by=principal.subject,
            note=note,
            photo_url=photo_url,
            resolved_at=now,
        )
    )


async def return_case(uow: UnitOfWork, case_id: UUID, principal: Principal, reason: str) -> None:
    case = await case_for_command(uow, case_id)
    ensure_member(scope_for(uow, principal), case)
    now = _now(uow)
    await transition(uow.conn, case, "return", actor=principal.subject, at=now, reason=reason)
    await uow.emit(
        DispatchReturned(
            case_id=case_id,
            case_number=case["case_number"],
            unit_id=case["unit_id"],
            reason=reason,
            returned_at=now,
        )
    )


async def reassign(uow: UnitOfWork, case_id: UUID, principal: Principal, unit_id: str, reason: str) -> None:
    """A dispatcher routes the case to another unit, with a fresh deadline (a new escalation cycle)."""
    case = await case_for_command(uow, case_id)
    ensure_visible(scope_for(uow, principal), case)
    if not await unit_exists(uow.conn, unit_id):
        raise InvalidInput("unit_id", f"no active unit {unit_id}")
    now = _now(uow)
    deadline = _context(uow).policy.deadline(case["severity"], case["category"], now)
    await transition(
        uow.conn,
        case,
        "reassign",
        actor=principal.subject,
        at=now,
        reason=f"{case['unit_id']} → {unit_id}: {reason}",
        changes={
            "unit_id": unit_id,
            "routing_reason": f"reassigned by {principal.subject}: {reason}",
            "accepted_at": None,
            **_new_cycle(case, deadline),
        },
    )
    await uow.emit(
        DispatchReassigned(
            case_id=case_id,
            case_number=case["case_number"],
            from_unit_id=case["unit_id"],
            to_unit_id=unit_id,
            deadline=deadline,
            reason=reason,
            reassigned_by=principal.subject,
            reassigned_at=now,
        )
    )


async def verify(uow: UnitOfWork, case_id: UUID, principal: Principal) -> None:
    case = await case_for_command(uow, case_id)
    verifier = await ensure_can_verify(uow.conn, principal, scope_for(uow, principal), case)
    now = _now(uow)
    await transition(uow.conn, case, "verify", actor=principal.subject, at=now, changes={"closed_at": now})
    await uow.emit(
        IssueClosed(
            case_id=case_id,
            case_number=case["case_number"],
            verified_by=verifier,
            closed_automatically=False,
            closed_at=now,
        )
    )


async def reopen(uow: UnitOfWork, case_id: UUID, principal: Principal, reason: str) -> None:
    """Verification failed: back to the same unit with a new deadline."""
    case = await case_for_command(uow, case_id)
    verifier = await ensure_can_verify(uow.conn, principal, scope_for(uow, principal), case)
    now = _now(uow)
    deadline = _context(uow).policy.deadline(case["severity"], case["category"], now)
    await transition(
        uow.conn,
        case,
        "reopen",
        actor=principal.subject,
        at=now,
        reason=reason,
        changes={
            "reopen_count": case["reopen_count"] + 1,
            "resolved_at": None,
            "resolved_in_time": None,
            **_new_cycle(case, deadline),
        },
    )
    await uow.emit(
        IssueReopened(
            case_id=case_id,
            case_number=case["case_number"],
            unit_id=case["unit_id"],
            reason=reason,
            reopened_by=verifier,
            deadline=deadline,
            reopened_at=now,
        )
    )


def _new_cycle(case, deadline) -> dict[str, object]:
    return {
        "deadline": deadline,
        "escalate_at": deadline,
        "cycle": case["cycle"] + 1,
        "escalation_level": "unit",
        "escalated_to": None,
    }


def _context(uow: UnitOfWork) -> DispatchContext:
    return uow.context


def _now(uow: UnitOfWork):
    return _context(uow).clock.now()
