"""Scheduling and cancelling duty shifts; each shift commits with its `patrol.shift.*` event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from services.patrol.domain.watcher_errors import Conflict, InvalidInput, NotFound
from services.patrol.handlers.watchers_lookup import active_watcher
from shared.events.catalogue.patrol import PatrolShiftCancelled, PatrolShiftScheduled
from shared.unit_of_work import UnitOfWork

INSERT_SHIFT = """
INSERT INTO shifts (shift_id, watcher_id, community_code, starts_at, ends_at, occasion, roster_id, scheduled_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"""
_COLUMNS = (
    "shift_id, watcher_id, community_code, starts_at, ends_at, occasion, roster_id, status, cancel_reason"
)


def new_shift_id() -> str:
    return f"s-{uuid.uuid4().hex[:16]}"


def scheduled_event(shift: tuple[Any, ...], scheduled_at: datetime) -> PatrolShiftScheduled:
    shift_id, watcher_id, community_code, starts_at, ends_at, occasion = shift[:6]
    return PatrolShiftScheduled(
        shift_id=shift_id,
        watcher_id=watcher_id,
        community_code=community_code,
        starts_at=starts_at,
        ends_at=ends_at,
        occasion=occasion,
        scheduled_at=scheduled_at,
    )


async def schedule_shift(
    uow: UnitOfWork, watcher_id: str, starts_at: datetime, ends_at: datetime, occasion: str | None
) -> dict[str, Any]:
    if ends_at <= starts_at:
        raise InvalidInput("ends_at", "a shift ends after it starts")
    watcher = await active_watcher(uow.conn, watcher_id, lock=True)
    clash = await uow.conn.fetchval(
        """SELECT shift_id FROM shifts WHERE watcher_id = $1 AND status = 'scheduled'
           AND starts_at < $3 AND ends_at > $2 LIMIT 1""",
        watcher_id,
        starts_at,
        ends_at,
    )
    if clash:
        raise Conflict("overlapping", f"watcher {watcher_id} already has shift {clash} at that time")
    now = uow.context.clock.now()
    shift = (new_shift_id(), watcher_id, watcher["community_code"], starts_at, ends_at, occasion, None, now)
    await uow.conn.execute(INSERT_SHIFT, *shift)
    await uow.emit(scheduled_event(shift, now))
    return await get_shift(uow.conn, shift[0])


async def cancel_shift(uow: UnitOfWork, shift_id: str, reason: str) -> dict[str, Any]:
    row = await uow.conn.fetchrow("SELECT * FROM shifts WHERE shift_id = $1 FOR UPDATE", shift_id)
    if row is None:
        raise NotFound("shift_id", f"no shift {shift_id}")
    if row["status"] == "cancelled":
        raise Conflict("cancelled", f"shift {shift_id} is already cancelled")
    now = uow.context.clock.now()
    if row["ends_at"] <= now:
        raise Conflict("past", f"shift {shift_id} is over and cannot be cancelled")
    await _cancel(uow, [(shift_id, row["watcher_id"])], reason, now)
    return await get_shift(uow.conn, shift_id)


async def cancel_future_shifts(uow: UnitOfWork, watcher_id: str, reason: str) -> int:
    """Cancel a watcher's scheduled shifts that have not ended yet (when they stop serving)."""
    now = uow.context.clock.now()
    rows = await uow.conn.fetch(
        "SELECT shift_id FROM shifts WHERE watcher_id = $1 AND status = 'scheduled' AND ends_at > $2 FOR UPDATE",
        watcher_id,
        now,
    )
    await _cancel(uow, [(row["shift_id"], watcher_id) for row in rows], reason, now)
    return len(rows)


async def _cancel(uow: UnitOfWork, shifts: list[tuple[str, str]], reason: str, now: datetime) -> None:
    for shift_id, watcher_id in shifts:
        await uow.conn.execute(
            """UPDATE shifts SET status = 'cancelled', cancelled_at = $2, cancel_reason = $3
               WHERE shift_id = $1""",
            shift_id,
            now,
            reason,
        )
        await uow.emit(
            PatrolShiftCancelled(shift_id=shift_id, watcher_id=watcher_id, reason=reason, cancelled_at=now)
        )


async def get_shift(conn: asyncpg.Connection, shift_id: str) -> dict[str, Any]:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM shifts WHERE shift_id = $1", shift_id)
    if row is None:
        raise NotFound("shift_id", f"no shift {shift_id}")
    return dict(row)


async def list_shifts(
    conn: asyncpg.Connection,
    *,
    watcher_id: str | None = None,
    communities: list[str] | None = None,
    roster_id: str | None = None,
    starting_from: datetime | None = None,
    starting_before: datetime | None = None,
    status: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM shifts
            WHERE ($1::text IS NULL OR watcher_id = $1) AND ($2::text[] IS NULL OR community_code = ANY($2))
              AND ($3::text IS NULL OR roster_id = $3)
              AND ($4::timestamptz IS NULL OR ends_at > $4) AND ($5::timestamptz IS NULL OR starts_at < $5)
              AND ($6::text IS NULL OR status = $6)
            ORDER BY starts_at, watcher_id LIMIT $7""",
        watcher_id,
        communities,
        roster_id,
        starting_from,
        starting_before,
        status,
        limit,
    )
    return [dict(row) for row in rows]
