"""Targeted help for weak communities (沉浸式帮扶): an excellent secretary is sent, analyses on site, guides,
and the help is followed up until it is closed."""

from __future__ import annotations

from datetime import date

import asyncpg
from pydantic import BaseModel, Field

from services.training.domain.assistance import assistance_transition
from services.training.domain.errors import Conflict, Forbidden, NotFound
from services.training.handlers.common import new_id, organisation, person_with_role, row_or_404
from shared.unit_of_work import UnitOfWork


class OpenAssistance(BaseModel):
    organisation_code: str = Field(min_length=1, examples=["WG-BY"])
    area: str = Field(min_length=1, max_length=200, examples=["经费管理"], description="Where it is weak.")
    helper_id: str = Field(min_length=1, description="The excellent secretary sent to help.")


class RecordVisit(BaseModel):
    analysis: str = Field(min_length=1, max_length=4000, description="The on-site analysis (现场分析研判).")
    guidance: str = Field(min_length=1, max_length=4000, description="The guidance given (指导意见).")


class FollowUp(BaseModel):
    noted_on: date
    note: str = Field(min_length=1, max_length=2000)


async def open_assistance(uow: UnitOfWork, command: OpenAssistance) -> str:
    target = await organisation(uow.conn, command.organisation_code)
    await person_with_role(uow.conn, command.helper_id, "secretary", "helper_id")
    if target["secretary_id"] == command.helper_id:
        raise Conflict("helper_id", f"{command.helper_id} is the secretary of {command.organisation_code}")
    assistance_id = new_id("help")
    await uow.conn.execute(
        """INSERT INTO assistance (assistance_id, organisation_code, area, helper_id, status, opened_at)
           VALUES ($1, $2, $3, $4, 'open', $5)""",
        assistance_id, command.organisation_code, command.area, command.helper_id, uow.context.clock.now(),
    )  # fmt: skip
    return assistance_id


async def _assistance(uow: UnitOfWork, assistance_id: str):
    sql = "SELECT * FROM assistance WHERE assistance_id = $1 FOR UPDATE"
    return await row_or_404(uow.conn, sql, assistance_id, "assistance_id", "assistance")


async def record_visit(
    uow: UnitOfWork, assistance_id: str, command: RecordVisit, *, secretary_id: str | None = None
) -> None:
    """Recorded by a trainer, or by the secretary sent (`secretary_id`), and by no other secretary."""
    current = await _assistance(uow, assistance_id)
    if secretary_id is not None and secretary_id != current["helper_id"]:
        raise Forbidden(
            "helper_id", f"only {current['helper_id']}, the secretary sent, may record this visit"
        )
    if current["status"] == "closed":
        raise Conflict("status", f"the assistance is {current['status']}")
    await uow.conn.execute(
        "UPDATE assistance SET analysis = $2, guidance = $3 WHERE assistance_id = $1",
        assistance_id,
        command.analysis,
        command.guidance,
    )


async def follow_up(uow: UnitOfWork, assistance_id: str, command: FollowUp) -> None:
    current = await _assistance(uow, assistance_id)
    status = assistance_transition(current["status"], "followed_up")
    if current["guidance"] is None:
        raise Conflict("guidance", "record the on-site analysis and guidance before following up")
    await uow.conn.execute(
        "INSERT INTO assistance_followups (assistance_id, noted_on, note, recorded_at) VALUES ($1, $2, $3, $4)",
        assistance_id,
        command.noted_on,
        command.note,
        uow.context.clock.now(),
    )
    await uow.conn.execute(
        "UPDATE assistance SET status = $2 WHERE assistance_id = $1", assistance_id, status
    )


async def close(uow: UnitOfWork, assistance_id: str) -> None:
    current = await _assistance(uow, assistance_id)
    status = assistance_transition(current["status"], "closed")
    await uow.conn.execute(
        "UPDATE assistance SET status = $2, closed_at = $3 WHERE assistance_id = $1",
        assistance_id,
        status,
        uow.context.clock.now(),
    )


async def assistance_view(conn: asyncpg.Connection, assistance_id: str) -> dict:
    row = await conn.fetchrow("SELECT * FROM assistance WHERE assistance_id = $1", assistance_id)
    if row is None:
        raise NotFound("assistance_id", f"no assistance {assistance_id}")
    notes = await conn.fetch(
        """SELECT noted_on, note FROM assistance_followups WHERE assistance_id = $1
           ORDER BY noted_on, followup_id""",
        assistance_id,
    )
    return dict(row) | {"followups": [dict(n) for n in notes]}


async def list_assistance(
    conn: asyncpg.Connection, status: str | None, organisation_codes: list[str] | None, helper_id: str
) -> list[dict]:
    """Targeted help by status: of the organisations given (None: all), and whatever `helper_id` was sent to give."""
    rows = await conn.fetch(
        """SELECT assistance_id, organisation_code, area, helper_id, status, opened_at, closed_at
           FROM assistance WHERE ($1::text IS NULL OR status = $1)
             AND ($2::text[] IS NULL OR organisation_code = ANY($2) OR helper_id = $3)
           ORDER BY opened_at, assistance_id""",
        status,
        organisation_codes,
        helper_id,
    )
    return [dict(row) for row in rows]
