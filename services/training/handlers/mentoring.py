"""The district mentor studios (导师工作室) and mentor pairings (导师帮带) with goals and progress notes."""

from __future__ import annotations

from datetime import date

import asyncpg
from pydantic import BaseModel, Field

from services.training.domain.errors import Conflict, NotFound
from services.training.handlers.common import new_id, person, person_with_role, row_or_404
from shared.unit_of_work import UnitOfWork


class OpenStudio(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["尹雪松书记工作室"])
    lead_mentor_id: str = Field(min_length=1)
    focus: str = Field("", max_length=500, examples=["精准助残服务"])


class PairMentor(BaseModel):
    studio_id: str = Field(min_length=1)
    mentor_id: str = Field(min_length=1)
    mentee_id: str = Field(min_length=1)
    started_on: date
    goals: str = Field(min_length=1, max_length=2000)


class ProgressNote(BaseModel):
    noted_on: date
    progress: str = Field(min_length=1, max_length=2000)


class EndPairing(BaseModel):
    ended_on: date


async def open_studio(uow: UnitOfWork, command: OpenStudio, *, sample: bool = False) -> str:
    await person_with_role(uow.conn, command.lead_mentor_id, "mentor", "lead_mentor_id")
    studio_id = new_id("studio")
    await uow.conn.execute(
        """INSERT INTO studios (studio_id, name, lead_mentor_id, focus, sample, created_at)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        studio_id, command.name, command.lead_mentor_id, command.focus, sample, uow.context.clock.now(),
    )  # fmt: skip
    return studio_id


async def pair(uow: UnitOfWork, command: PairMentor) -> str:
    conn = uow.conn
    await row_or_404(
        conn, "SELECT 1 FROM studios WHERE studio_id = $1", command.studio_id, "studio_id", "studio"
    )
    await person_with_role(conn, command.mentor_id, "mentor", "mentor_id")
    await person(conn, command.mentee_id, "mentee_id")
    if command.mentor_id == command.mentee_id:
        raise Conflict("mentee_id", "a mentor cannot mentor themselves")
    active = await conn.fetchval(
        "SELECT pairing_id FROM pairings WHERE mentor_id = $1 AND mentee_id = $2 AND ended_on IS NULL",
        command.mentor_id,
        command.mentee_id,
    )
    if active:
        raise Conflict("mentee_id", f"{command.mentee_id} is already paired with this mentor ({active})")
    pairing_id = new_id("pair")
    await conn.execute(
        """INSERT INTO pairings (pairing_id, studio_id, mentor_id, mentee_id, started_on, goals, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        pairing_id, command.studio_id, command.mentor_id, command.mentee_id, command.started_on,
        command.goals, uow.context.clock.now(),
    )  # fmt: skip
    return pairing_id


async def _pairing(uow: UnitOfWork, pairing_id: str):
    sql = "SELECT * FROM pairings WHERE pairing_id = $1 FOR UPDATE"
    return await row_or_404(uow.conn, sql, pairing_id, "pairing_id", "pairing")


async def note_progress(uow: UnitOfWork, pairing_id: str, command: ProgressNote) -> None:
    pairing = await _pairing(uow, pairing_id)
    if pairing["ended_on"] is not None:
        raise Conflict("ended_on", f"pairing {pairing_id} ended on {pairing['ended_on']}")
    await uow.conn.execute(
        "INSERT INTO pairing_notes (pairing_id, noted_on, progress, recorded_at) VALUES ($1, $2, $3, $4)",
        pairing_id,
        command.noted_on,
        command.progress,
        uow.context.clock.now(),
    )


async def end_pairing(uow: UnitOfWork, pairing_id: str, command: EndPairing) -> None:
    pairing = await _pairing(uow, pairing_id)
    if pairing["ended_on"] is not None:
        raise Conflict("ended_on", f"pairing {pairing_id} ended on {pairing['ended_on']}")
    if command.ended_on < pairing["started_on"]:
        raise Conflict("ended_on", f"pairing {pairing_id} started on {pairing['started_on']}")
    await uow.conn.execute(
        "UPDATE pairings SET ended_on = $2 WHERE pairing_id = $1", pairing_id, command.ended_on
    )


async def list_studios(conn: asyncpg.Connection) -> list[dict]:
    rows = await conn.fetch(
        """SELECT st.studio_id, st.name, st.lead_mentor_id, st.focus, st.sample,
                  count(p.pairing_id) FILTER (WHERE p.ended_on IS NULL) AS active_pairings
           FROM studios st LEFT JOIN pairings p ON p.studio_id = st.studio_id
           GROUP BY st.studio_id ORDER BY st.created_at, st.studio_id"""
    )
    return [dict(row) for row in rows]


async def pairing_view(conn: asyncpg.Connection, pairing_id: str) -> dict:
    row = await conn.fetchrow("SELECT * FROM pairings WHERE pairing_id = $1", pairing_id)
    if row is None:
        raise NotFound("pairing_id", f"no pairing {pairing_id}")
    notes = await conn.fetch(
        "SELECT noted_on, progress FROM pairing_notes WHERE pairing_id = $1 ORDER BY noted_on, note_id",
        pairing_id,
    )
    return dict(row) | {"active": row["ended_on"] is None, "notes": [dict(n) for n in notes]}
