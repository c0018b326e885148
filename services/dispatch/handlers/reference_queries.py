"""Reading the reference data admins keep: units, routing rules, the audit of their changes. Read-only."""

from __future__ import annotations

from typing import Any

import asyncpg


async def units(
    conn: asyncpg.Connection,
    *,
    kind: str | None,
    street_code: str | None,
    community_code: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Units with the given kind, street and community (each optional), by id, one page, and how many in all."""
    condition = """($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR street_code = $2)
                   AND ($3::text IS NULL OR community_code = $3)"""
    args = (kind, street_code, community_code)
    total = await conn.fetchval(f"SELECT count(*) FROM units WHERE {condition}", *args)
    rows = await conn.fetch(
        f"SELECT * FROM units WHERE {condition} ORDER BY id LIMIT $4 OFFSET $5", *args, limit, offset
    )
    return [dict(row) for row in rows], int(total)


async def routing_rules(
    conn: asyncpg.Connection, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Routing rules in evaluation order within each scope, one page, and how many in all."""
    total = await conn.fetchval("SELECT count(*) FROM routing_rules")
    rows = await conn.fetch(
        "SELECT * FROM routing_rules ORDER BY scope, category, priority, rule_id LIMIT $1 OFFSET $2",
        limit,
        offset,
    )
    return [dict(row) for row in rows], int(total)


async def changes(
    conn: asyncpg.Connection, *, entity: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """The audit of reference changes, newest first, one page, and how many in all."""
    total = await conn.fetchval(
        "SELECT count(*) FROM reference_changes WHERE ($1::text IS NULL OR entity = $1)", entity
    )
    rows = await conn.fetch(
        """SELECT * FROM reference_changes WHERE ($1::text IS NULL OR entity = $1)
           ORDER BY change_id DESC LIMIT $2 OFFSET $3""",
        entity,
        limit,
        offset,
    )
    return [dict(row) for row in rows], int(total)
