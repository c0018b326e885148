"""Small helpers every training handler uses: new ids, and rows that must exist."""

from __future__ import annotations

import uuid

import asyncpg

from services.training.domain.errors import Invalid, NotFound


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def row_or_404(
    conn: asyncpg.Connection, sql: str, value: object, field: str, what: str
) -> asyncpg.Record:
    row = await conn.fetchrow(sql, value)
    if row is None:
        raise NotFound(field, f"no {what} {value}")
    return row


async def person(conn: asyncpg.Connection, person_id: str, field: str = "person_id", *, lock: bool = False):
    sql = "SELECT * FROM people WHERE person_id = $1" + (" FOR UPDATE" if lock else "")
    return await row_or_404(conn, sql, person_id, field, "person")


async def person_with_role(conn: asyncpg.Connection, person_id: str, role: str, field: str):
    found = await person(conn, person_id, field)
    if role not in found["roles"]:
        raise Invalid(field, f"person {person_id} is not a {role} (roles: {', '.join(found['roles'])})")
    return found


async def organisation(conn: asyncpg.Connection, code: str, field: str = "organisation_code", *, lock=False):
    sql = "SELECT * FROM organisations WHERE code = $1" + (" FOR UPDATE" if lock else "")
    return await row_or_404(conn, sql, code, field, "organisation")
