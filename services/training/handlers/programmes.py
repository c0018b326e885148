"""Programmes: cultivation tracks (the "1+4+8+N" system, kept as data) and courses (e.g. the case workshops)."""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel, Field

from services.training.domain.tracks import Requirement
from services.training.handlers.common import new_id
from shared.events.catalogue.training import SessionKind
from shared.unit_of_work import UnitOfWork


class TrackRequirement(BaseModel):
    kind: SessionKind | None = Field(None, description="A session kind, or null for sessions of any kind.")
    min_sessions: int = Field(0, ge=0)
    min_hours: float = Field(0, ge=0)


class DefineTrack(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["“4”：四类课堂"])
    description: str = Field("", max_length=2000)
    requirements: list[TrackRequirement] = Field(min_length=1)


class CreateCourse(BaseModel):
    title: str = Field(min_length=1, max_length=200, examples=["基层治理案例工坊"])
    kind: SessionKind = "case_workshop"
    description: str = Field("", max_length=2000)
    planned_sessions: int = Field(ge=1, le=500, examples=[16])


async def define_track(uow: UnitOfWork, code: str, command: DefineTrack) -> None:
    """Create or replace a track: the system is configured, not coded."""
    await uow.conn.execute(
        """INSERT INTO tracks (code, name, description, requirements) VALUES ($1, $2, $3, $4)
           ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
               requirements = EXCLUDED.requirements""",
        code,
        command.name,
        command.description,
        [r.model_dump() for r in command.requirements],
    )


async def tracks(conn: asyncpg.Connection) -> list[tuple[dict, list[Requirement]]]:
    rows = await conn.fetch("SELECT code, name, description, requirements FROM tracks ORDER BY code")
    return [(dict(row), [Requirement(**r) for r in row["requirements"]]) for row in rows]


async def create_course(uow: UnitOfWork, command: CreateCourse, *, sample: bool = False) -> str:
    course_id = new_id("c")
    await uow.conn.execute(
        """INSERT INTO courses (course_id, title, kind, description, planned_sessions, sample, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        course_id, command.title, command.kind, command.description, command.planned_sessions, sample,
        uow.context.clock.now(),
    )  # fmt: skip
    return course_id


async def list_courses(conn: asyncpg.Connection) -> list[dict]:
    rows = await conn.fetch(
        """SELECT c.course_id, c.title, c.kind, c.description, c.planned_sessions, c.sample,
                  count(s.session_id) FILTER (WHERE s.status = 'scheduled') AS sessions
           FROM courses c LEFT JOIN sessions s ON s.course_id = c.course_id
           GROUP BY c.course_id ORDER BY c.created_at, c.course_id"""
    )
    return [dict(row) for row in rows]
