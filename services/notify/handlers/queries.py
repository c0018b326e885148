"""Reading what notify keeps for the API: deliveries with their attempts, and a recipient's directory entry.
Read-only, no transaction."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

DELIVERY_COLUMNS = (
    "delivery_id recipient_id channel purpose status cause_event_id cause_event_type language body urgent due_at "
    "next_attempt_at attempts last_error created_at finished_at"
).split()
_COLUMNS = ", ".join(DELIVERY_COLUMNS)


async def deliveries(
    pool: asyncpg.Pool, recipient_id: str, status: str | None, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A recipient's deliveries (of one status, if given), newest first: one page, and how many in all."""
    condition = "recipient_id = $1 AND ($2::text IS NULL OR status = $2)"
    total = await pool.fetchval(f"SELECT count(*) FROM deliveries WHERE {condition}", recipient_id, status)
    rows = await pool.fetch(
        f"""SELECT {_COLUMNS} FROM deliveries WHERE {condition}
            ORDER BY created_at DESC, due_at DESC, delivery_id LIMIT $3 OFFSET $4""",
        recipient_id,
        status,
        limit,
        offset,
    )
    return [dict(row) for row in rows], int(total)


async def delivery(pool: asyncpg.Pool, delivery_id: uuid.UUID) -> dict[str, Any] | None:
    row = await pool.fetchrow(f"SELECT {_COLUMNS} FROM deliveries WHERE delivery_id = $1", delivery_id)
    return None if row is None else dict(row)


async def attempts(pool: asyncpg.Pool, delivery_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        """SELECT attempt, started_at, finished_at, outcome, detail FROM delivery_attempts
           WHERE delivery_id = $1 ORDER BY attempt""",
        delivery_id,
    )
    return [dict(row) for row in rows]


async def recipient_of(pool: asyncpg.Pool, delivery_id: uuid.UUID) -> str | None:
    return await pool.fetchval("SELECT recipient_id FROM deliveries WHERE delivery_id = $1", delivery_id)


async def recipient(pool: asyncpg.Pool, recipient_id: str) -> dict[str, Any] | None:
    """A recipient's directory entry with the channels they can be reached on (never the addresses)."""
    row = await pool.fetchrow(
        """SELECT r.*, coalesce(array_agg(c.channel ORDER BY c.channel) FILTER (WHERE c.channel IS NOT NULL), '{}')
               AS channels
           FROM recipients r LEFT JOIN contact_points c USING (recipient_id)
           WHERE r.recipient_id = $1 GROUP BY r.recipient_id""",
        recipient_id,
    )
    return None if row is None else dict(row)
