"""What happened at a session: attendance and hours, feedback ratings, materials; and reading sessions back."""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel, Field, HttpUrl

from services.training.domain.errors import Conflict, NotFound
from services.training.handlers.common import person
from services.training.handlers.sessions import ensure_scheduled, load_session
from shared.events.catalogue.training import TrainingAttendanceRecorded
from shared.unit_of_work import UnitOfWork


class AttendanceEntry(BaseModel):
    person_id: str = Field(min_length=1)
    attended: bool = True
    hours: float | None = Field(None, ge=0, le=24, description="Defaults to the session's length.")


class RecordAttendance(BaseModel):
    entries: list[AttendanceEntry] = Field(min_length=1)


class GiveFeedback(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(None, max_length=1000)


class AttachMaterial(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    url: HttpUrl


async def record_attendance(uow: UnitOfWork, session_id: str, command: RecordAttendance) -> int:
    session = await load_session(uow, session_id)
    ensure_scheduled(session)
    now = uow.context.clock.now()
    if now < session["starts_at"]:
        raise Conflict("starts_at", f"session {session_id} has not started yet ({session['starts_at']})")
    length = (session["ends_at"] - session["starts_at"]).total_seconds() / 3600
    for entry in command.entries:
        await person(uow.conn, entry.person_id, "entries.person_id")
        hours = 0.0 if not entry.attended else entry.hours if entry.hours is not None else min(length, 24)
        hours = round(hours, 2)
        await uow.conn.execute(
            """INSERT INTO attendance (session_id, person_id, attended, hours, recorded_at)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (session_id, person_id) DO UPDATE SET attended = EXCLUDED.attended,
                   hours = EXCLUDED.hours, recorded_at = EXCLUDED.recorded_at""",
            session_id, entry.person_id, entry.attended, hours, now,
        )  # fmt: skip
        await uow.emit(
            TrainingAttendanceRecorded(
                session_id=session_id,
                person_id=entry.person_id,
                attended=entry.attended,
                hours=hours,
                recorded_at=now,
            )
        )
    return len(command.entries)


async def give_feedback(uow: UnitOfWork, session_id: str, person_id: str, command: GiveFeedback) -> None:
    await load_session(uow, session_id)
    attended = await uow.conn.fetchval(
        "SELECT attended FROM attendance WHERE session_id = $1 AND person_id = $2", session_id, person_id
    )
    if not attended:
        raise Conflict("person_id", f"person {person_id} has no recorded attendance in session {session_id}")
    await uow.conn.execute(
        """INSERT INTO feedback (session_id, person_id, rating, comment, given_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (session_id, person_id) DO UPDATE SET rating = EXCLUDED.rating,
               comment = EXCLUDED.comment, given_at = EXCLUDED.given_at""",
        session_id, person_id, command.rating, command.comment, uow.context.clock.now(),
    )  # fmt: skip


async def attach_material(uow: UnitOfWork, session_id: str, command: AttachMaterial) -> int:
    await load_session(uow, session_id)
    return await uow.conn.fetchval(
        """INSERT INTO materials (session_id, title, url, attached_at) VALUES ($1, $2, $3, $4)
           RETURNING material_id""",
        session_id,
        command.title,
        str(command.url),
        uow.context.clock.now(),
    )


async def session_view(conn: asyncpg.Connection, session_id: str) -> dict:
    row = await conn.fetchrow("SELECT * FROM sessions WHERE session_id = $1", session_id)
    if row is None:
        raise NotFound("session_id", f"no session {session_id}")
    enrolments = await conn.fetch(
        """SELECT person_id, status FROM enrolments WHERE session_id = $1
           AND status IN ('confirmed', 'waitlisted') ORDER BY queued_seq""",
        session_id,
    )
    rating = await conn.fetchrow(
        "SELECT count(*) AS ratings, avg(rating)::float AS average FROM feedback WHERE session_id = $1",
        session_id,
    )
    materials = await conn.fetch(
        "SELECT title, url FROM materials WHERE session_id = $1 ORDER BY material_id", session_id
    )
    attendance = await conn.fetchrow(
        """SELECT count(*) FILTER (WHERE attended) AS attended, COALESCE(sum(hours), 0)::float AS hours
           FROM attendance WHERE session_id = $1""",
        session_id,
    )
    return dict(row) | {
        "confirmed": [e["person_id"] for e in enrolments if e["status"] == "confirmed"],
        "waiting_list": [e["person_id"] for e in enrolments if e["status"] == "waitlisted"],
        "feedback": {"ratings": rating["ratings"], "average": rating["average"]},
        "materials": [dict(m) for m in materials],
        "attendance": dict(attendance),
    }


async def list_sessions(conn: asyncpg.Connection, kind: str | None, course_id: str | None) -> list[dict]:
    rows = await conn.fetch(
        """SELECT s.session_id, s.kind, s.title, s.topic, s.place, s.starts_at, s.ends_at, s.capacity,
                  s.lecturer_id, s.course_id, s.status, s.sample,
                  count(e.person_id) FILTER (WHERE e.status = 'confirmed') AS confirmed,
                  count(e.person_id) FILTER (WHERE e.status = 'waitlisted') AS waitlisted
           FROM sessions s LEFT JOIN enrolments e ON e.session_id = s.session_id
           WHERE ($1::text IS NULL OR s.kind = $1) AND ($2::text IS NULL OR s.course_id = $2)
           GROUP BY s.session_id ORDER BY s.starts_at, s.session_id""",
        kind,
        course_id,
    )
    return [dict(row) for row in rows]
