"""Sessions: scheduling, enrolment with capacity and a waiting list (promotion when a place frees), cancellation."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, model_validator

from services.training.domain.errors import Conflict
from services.training.domain.sessions import placement, promotions
from services.training.handlers.common import new_id, person, row_or_404
from shared.events.catalogue.training import (
    SessionKind,
    TrainingEnrolmentConfirmed,
    TrainingEnrolmentWithdrawn,
    TrainingSessionCancelled,
    TrainingSessionScheduled,
)
from shared.unit_of_work import UnitOfWork


class ScheduleSession(BaseModel):
    kind: SessionKind
    title: str = Field(min_length=1, max_length=200, examples=["书记沙龙：老旧小区改造"])
    topic: str | None = Field(None, max_length=200, examples=["老旧小区改造"])
    place: str = Field(min_length=1, max_length=200, examples=["大东区党群服务中心"])
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(ge=1, le=10_000)
    lecturer_id: str | None = None
    course_id: str | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> ScheduleSession:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


async def schedule_session(uow: UnitOfWork, command: ScheduleSession, *, sample: bool = False) -> str:
    conn, now = uow.conn, uow.context.clock.now()
    if command.lecturer_id is not None:
        await person(conn, command.lecturer_id, "lecturer_id")
    if command.course_id is not None:
        sql = "SELECT 1 FROM courses WHERE course_id = $1"
        await row_or_404(conn, sql, command.course_id, "course_id", "course")
    session_id = new_id("s")
    await conn.execute(
        """INSERT INTO sessions (session_id, kind, title, topic, place, starts_at, ends_at, capacity,
               lecturer_id, course_id, sample, scheduled_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)""",
        session_id, command.kind, command.title, command.topic, command.place, command.starts_at,
        command.ends_at, command.capacity, command.lecturer_id, command.course_id, sample, now,
    )  # fmt: skip
    await uow.emit(
        TrainingSessionScheduled(
            session_id=session_id,
            kind=command.kind,
            title=command.title,
            topic=command.topic,
            place=command.place,
            starts_at=command.starts_at,
            ends_at=command.ends_at,
            lecturer_id=command.lecturer_id,
            scheduled_at=now,
        )
    )
    return session_id


async def load_session(uow: UnitOfWork, session_id: str, *, lock: bool = False):
    sql = "SELECT * FROM sessions WHERE session_id = $1" + (" FOR UPDATE" if lock else "")
    return await row_or_404(uow.conn, sql, session_id, "session_id", "session")


def ensure_scheduled(session) -> None:
    if session["status"] != "scheduled":
        raise Conflict("status", f"session {session['session_id']} is {session['status']}")


async def enrol(uow: UnitOfWork, session_id: str, person_id: str) -> str:
    """Confirmed while places remain, waitlisted after: enrolling past capacity is not an error."""
    session = await load_session(uow, session_id, lock=True)  # the lock serialises enrolments in one session
    ensure_scheduled(session)
    await person(uow.conn, person_id)
    current = await uow.conn.fetchval(
        "SELECT status FROM enrolments WHERE session_id = $1 AND person_id = $2", session_id, person_id
    )
    if current in ("confirmed", "waitlisted"):
        raise Conflict("person_id", f"person {person_id} is {current} for session {session_id} already")
    confirmed = await _confirmed_count(uow, session_id)
    status = placement(confirmed, session["capacity"])
    now = uow.context.clock.now()
    await uow.conn.execute(
        """INSERT INTO enrolments (session_id, person_id, status, enrolled_at, confirmed_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (session_id, person_id) DO UPDATE SET status = EXCLUDED.status,
               queued_seq = nextval(pg_get_serial_sequence('enrolments', 'queued_seq')),
               enrolled_at = EXCLUDED.enrolled_at, confirmed_at = EXCLUDED.confirmed_at""",
        session_id, person_id, status, now, now if status == "confirmed" else None,
    )  # fmt: skip
    if status == "confirmed":
        await _confirmed(uow, session, person_id)
    return status


async def _confirmed_count(uow: UnitOfWork, session_id: str) -> int:
    sql = "SELECT count(*) FROM enrolments WHERE session_id = $1 AND status = 'confirmed'"
    return await uow.conn.fetchval(sql, session_id)


async def _confirmed(uow: UnitOfWork, session, person_id: str) -> None:
    await uow.emit(
        TrainingEnrolmentConfirmed(
            session_id=session["session_id"],
            person_id=person_id,
            title=session["title"],
            place=session["place"],
            starts_at=session["starts_at"],
            confirmed_at=uow.context.clock.now(),
        )
    )


async def leave(uow: UnitOfWork, session_id: str, person_id: str, *, by_self: bool) -> list[str]:
    """A withdrawal (by the person) or a cancellation (by a trainer) frees a place; the waiting list moves up.

    Returns the people promoted from the waiting list.
    """
    session = await load_session(uow, session_id, lock=True)
    ensure_scheduled(session)
    current = await uow.conn.fetchval(
        "SELECT status FROM enrolments WHERE session_id = $1 AND person_id = $2", session_id, person_id
    )
    if current not in ("confirmed", "waitlisted"):
        raise Conflict("person_id", f"person {person_id} holds no enrolment in session {session_id}")
    now = uow.context.clock.now()
    await uow.conn.execute(
        "UPDATE enrolments SET status = $3 WHERE session_id = $1 AND person_id = $2",
        session_id,
        person_id,
        "withdrawn" if by_self else "cancelled",
    )
    if current == "waitlisted":
        return []
    await uow.emit(TrainingEnrolmentWithdrawn(session_id=session_id, person_id=person_id, withdrawn_at=now))
    waiting = await uow.conn.fetch(
        """SELECT person_id FROM enrolments WHERE session_id = $1 AND status = 'waitlisted'
           ORDER BY queued_seq""",
        session_id,
    )
    promoted = promotions(
        session["capacity"], await _confirmed_count(uow, session_id), [w["person_id"] for w in waiting]
    )
    for promoted_id in promoted:
        await uow.conn.execute(
            """UPDATE enrolments SET status = 'confirmed', confirmed_at = $3
               WHERE session_id = $1 AND person_id = $2""",
            session_id,
            promoted_id,
            now,
        )
        await _confirmed(uow, session, promoted_id)
    return promoted


async def cancel_session(uow: UnitOfWork, session_id: str, reason: str) -> None:
    session = await load_session(uow, session_id, lock=True)
    ensure_scheduled(session)
    enrolled = await uow.conn.fetch(
        """UPDATE enrolments SET status = 'cancelled'
           WHERE session_id = $1 AND status IN ('confirmed', 'waitlisted') RETURNING person_id, status""",
        session_id,
    )
    await uow.conn.execute(
        "UPDATE sessions SET status = 'cancelled', cancel_reason = $2 WHERE session_id = $1",
        session_id,
        reason,
    )
    await uow.emit(
        TrainingSessionCancelled(
            session_id=session_id,
            reason=reason,
            enrolled_person_ids=sorted(row["person_id"] for row in enrolled),
            cancelled_at=uow.context.clock.now(),
            title=session["title"],
            starts_at=session["starts_at"],
            place=session["place"],
        )
    )
