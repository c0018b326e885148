"""Organisations (communities and villages) and their secretaries (社区党组织书记, the lead geese)."""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel, Field

from services.training.domain.errors import Conflict
from services.training.handlers.common import organisation, person_with_role
from shared.unit_of_work import UnitOfWork

SECRETARY_POST = "社区党委书记"


class AssignSecretary(BaseModel):
    person_id: str = Field(min_length=1, description="A person holding the secretary role.")
    post: str = Field(SECRETARY_POST, min_length=1, max_length=100)


async def assign_secretary(uow: UnitOfWork, code: str, command: AssignSecretary) -> None:
    """Put a secretary into a vacant post (an occupied post must be vacated first: 409 naming its holder)."""
    current = await organisation(uow.conn, code, "code", lock=True)
    await person_with_role(uow.conn, command.person_id, "secretary", "person_id")
    await fill_post(uow.conn, current, command.person_id, command.post)


async def fill_post(conn: asyncpg.Connection, current: asyncpg.Record, person_id: str, post: str) -> None:
    if current["secretary_id"] is not None:
        raise Conflict(
            "organisation_code",
            f"the secretary post of {current['code']} is held by {current['secretary_id']}; vacate it first",
        )
    await conn.execute(
        "UPDATE organisations SET secretary_id = $2, secretary_post = $3 WHERE code = $1",
        current["code"],
        person_id,
        post,
    )


async def vacate_secretary(uow: UnitOfWork, code: str) -> None:
    current = await organisation(uow.conn, code, "code", lock=True)
    if current["secretary_id"] is None:
        raise Conflict("secretary_id", f"the secretary post of {code} is vacant already")
    await uow.conn.execute("UPDATE organisations SET secretary_id = NULL WHERE code = $1", code)


async def list_organisations(conn: asyncpg.Connection, street_code: str | None) -> list[dict]:
    rows = await conn.fetch(
        """SELECT o.code, o.kind, o.street_code, o.name_zh, o.name_en, o.secretary_id, o.secretary_post,
                  COALESCE(array_agg(a.area ORDER BY a.area) FILTER (WHERE a.status <> 'closed'), '{}')
                      AS weak_areas
           FROM organisations o LEFT JOIN assistance a ON a.organisation_code = o.code
           WHERE $1::text IS NULL OR o.street_code = $1
           GROUP BY o.code ORDER BY o.street_code, o.code""",
        street_code,
    )
    return [dict(row) for row in rows]
