"""Sessions: schedule, enrol (past capacity joins the waiting list), withdraw, cancel, attendance, feedback."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from services.training.api.answers import AttendanceRecorded, Enrolment, MaterialMade, Promoted, SessionMade
from services.training.api.common import ANYONE, STAFF, Gate, GateDep
from services.training.api.views import Session, SessionSummary
from services.training.handlers.reserve import ensure_self_or_staff
from services.training.handlers.session_records import (
    AttachMaterial,
    GiveFeedback,
    RecordAttendance,
    attach_material,
    give_feedback,
    list_sessions,
    record_attendance,
    session_view,
)
from services.training.handlers.sessions import (
    ScheduleSession,
    cancel_session,
    enrol,
    leave,
    schedule_session,
)
from shared.auth import Principal, require
from shared.events.catalogue.training import SessionKind
from shared.http.contract import answers

router = APIRouter(tags=["sessions"])
ENROLLERS = (*STAFF, "community_worker")


class Enrol(BaseModel):
    person_id: str = Field(min_length=1, description="Community workers may enrol only themselves.")


class Cancel(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


@router.post(
    "/sessions", status_code=status.HTTP_201_CREATED, summary="Schedule a session", responses=answers(404)
)
async def schedule(body: ScheduleSession, g: Gate = GateDep, _=Depends(require(*STAFF))) -> SessionMade:
    async with g.command() as uow:
        return {"session_id": await schedule_session(uow, body)}


@router.get("/sessions", summary="Sessions, with places taken and waiting")
async def sessions(
    kind: SessionKind | None = None,
    course_id: str | None = None,
    g: Gate = GateDep,
    _=Depends(require(*ANYONE)),
) -> list[SessionSummary]:
    async with g.query() as conn:
        return await list_sessions(conn, kind, course_id)


@router.get("/sessions/{session_id}", summary="A session: who holds a place, the waiting list, feedback")
async def read(session_id: str, g: Gate = GateDep, _=Depends(require(*ANYONE))) -> Session:
    async with g.query() as conn:
        return await session_view(conn, session_id)


@router.post(
    "/sessions/{session_id}/enrolments", summary="Enrol: confirmed while places remain, else waitlisted"
)
async def enrol_person(
    session_id: str, body: Enrol, g: Gate = GateDep, principal: Principal = Depends(require(*ENROLLERS))
) -> Enrolment:
    async with g.command() as uow:
        ensure_self_or_staff(principal, body.person_id)
        return {"person_id": body.person_id, "status": await enrol(uow, session_id, body.person_id)}


@router.delete(
    "/sessions/{session_id}/enrolments/{person_id}",
    summary="Withdraw (oneself) or cancel (a trainer) an enrolment; the waiting list moves up",
)
async def leave_session(
    session_id: str, person_id: str, g: Gate = GateDep, principal: Principal = Depends(require(*ENROLLERS))
) -> Promoted:
    async with g.command() as uow:
        ensure_self_or_staff(principal, person_id)
        promoted = await leave(uow, session_id, person_id, by_self=principal.subject == person_id)
        return {"promoted": promoted}


@router.post(
    "/sessions/{session_id}/cancel", status_code=status.HTTP_204_NO_CONTENT, summary="Cancel a session"
)
async def cancel(session_id: str, body: Cancel, g: Gate = GateDep, _=Depends(require(*STAFF))) -> None:
    async with g.command() as uow:
        await cancel_session(uow, session_id, body.reason)


@router.post("/sessions/{session_id}/attendance", summary="Record who attended, and for how many hours")
async def attendance(
    session_id: str, body: RecordAttendance, g: Gate = GateDep, _=Depends(require(*STAFF))
) -> AttendanceRecorded:
    async with g.command() as uow:
        return {"recorded": await record_attendance(uow, session_id, body)}


@router.post(
    "/sessions/{session_id}/feedback", status_code=status.HTTP_204_NO_CONTENT, summary="Rate a session (1–5)"
)
async def feedback(
    session_id: str,
    body: GiveFeedback,
    g: Gate = GateDep,
    principal: Principal = Depends(require(*ENROLLERS)),
) -> None:
    async with g.command() as uow:
        await give_feedback(uow, session_id, principal.subject, body)


@router.post(
    "/sessions/{session_id}/materials", status_code=status.HTTP_201_CREATED, summary="Attach material"
)
async def material(
    session_id: str, body: AttachMaterial, g: Gate = GateDep, _=Depends(require(*STAFF))
) -> MaterialMade:
    async with g.command() as uow:
        return {"material_id": await attach_material(uow, session_id, body)}
