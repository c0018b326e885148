"""Patrols: a watcher sets out (where, on which shift), keeps a log of notes, and comes back.

One open patrol per watcher, kept by a unique index. Reports made on a patrol are linked to it by the reports
side through `current_patrol_id` and `link_report`, so `patrol.ended` can count them.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from services.patrol.domain.watcher_errors import Conflict, InvalidInput, NotFound
from services.patrol.handlers.watchers_lookup import active_watcher
from shared.events.catalogue.common import Location
from shared.events.catalogue.patrol import PatrolEnded, PatrolStarted
from shared.unit_of_work import UnitOfWork

# A shift "covers" a patrol started a little early or late.
SHIFT_GRACE = timedelta(minutes=30)


async def current_patrol_id(conn: asyncpg.Connection, watcher_id: str) -> str | None:
    """The watcher's open patrol, if any: a report they make now belongs to it."""
    return await conn.fetchval(
        "SELECT patrol_id FROM patrols WHERE watcher_id = $1 AND ended_at IS NULL", watcher_id
    )


async def link_report(conn: asyncpg.Connection, patrol_id: str, report_id: str, linked_at: datetime) -> None:
    """Record that a report was made on the patrol (idempotent), in the caller's transaction."""
    await conn.execute(
        "INSERT INTO patrol_reports (patrol_id, report_id, linked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        patrol_id,
        str(report_id),
        linked_at,
    )


def _community_at(uow: UnitOfWork, location: Location) -> str:
    assert location.lat is not None and location.lon is not None
    located = uow.context.bundle.locate(location.lat, location.lon)
    if located is None:
        raise InvalidInput("location", f"({location.lat}, {location.lon}) is outside the district's grids")
    return located.community_code


async def _shift_for(uow: UnitOfWork, watcher_id: str, shift_id: str | None, now: datetime) -> str | None:
    if shift_id is not None:
        row = await uow.conn.fetchrow(
            "SELECT status FROM shifts WHERE shift_id = $1 AND watcher_id = $2", shift_id, watcher_id
        )
        if row is None:
            raise NotFound("shift_id", f"watcher {watcher_id} has no shift {shift_id}")
        if row["status"] != "scheduled":
            raise Conflict(row["status"], f"shift {shift_id} is {row['status']}")
        return shift_id
    return await uow.conn.fetchval(
        """SELECT shift_id FROM shifts WHERE watcher_id = $1 AND status = 'scheduled'
           AND starts_at - $3::interval <= $2 AND ends_at > $2 ORDER BY starts_at LIMIT 1""",
        watcher_id,
        now,
        SHIFT_GRACE,
    )


async def start_patrol(
    uow: UnitOfWork, watcher_id: str, location: Location, shift_id: str | None = None
) -> dict[str, Any]:
    await active_watcher(uow.conn, watcher_id, lock=True)
    community_code = _community_at(uow, location)
    open_patrol = await current_patrol_id(uow.conn, watcher_id)
    if open_patrol:
        raise Conflict("open", f"patrol {open_patrol} is still open: end it before starting another")
    now = uow.context.clock.now()
    shift_id = await _shift_for(uow, watcher_id, shift_id, now)
    patrol_id = f"p-{uuid.uuid4().hex[:16]}"
    await uow.conn.execute(
        """INSERT INTO patrols (patrol_id, watcher_id, shift_id, community_code, start_lat, start_lon, started_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        patrol_id,
        watcher_id,
        shift_id,
        community_code,
        location.lat,
        location.lon,
        now,
    )
    await uow.emit(
        PatrolStarted(
            patrol_id=patrol_id,
            watcher_id=watcher_id,
            shift_id=shift_id,
            community_code=community_code,
            location=Location(lat=location.lat, lon=location.lon),
            started_at=now,
        )
    )
    return await get_patrol(uow.conn, patrol_id)


async def _open_patrol_of(uow: UnitOfWork, watcher_id: str, patrol_id: str) -> asyncpg.Record:
    row = await uow.conn.fetchrow(
        "SELECT * FROM patrols WHERE patrol_id = $1 AND watcher_id = $2 FOR UPDATE", patrol_id, watcher_id
    )
    if row is None:
        raise NotFound("patrol_id", f"watcher {watcher_id} has no patrol {patrol_id}")
    if row["ended_at"] is not None:
        raise Conflict("ended", f"patrol {patrol_id} ended at {row['ended_at'].isoformat()}")
    return row


async def add_note(
    uow: UnitOfWork, watcher_id: str, patrol_id: str, text: str, location: Location | None
) -> dict[str, Any]:
    await _open_patrol_of(uow, watcher_id, patrol_id)
    row = await uow.conn.fetchrow(
        """INSERT INTO patrol_notes (patrol_id, text, lat, lon, recorded_at) VALUES ($1, $2, $3, $4, $5)
           RETURNING note_id, text, lat, lon, recorded_at""",
        patrol_id,
        text,
        location.lat if location else None,
        location.lon if location else None,
        uow.context.clock.now(),
    )
    return dict(row)


async def end_patrol(uow: UnitOfWork, watcher_id: str, patrol_id: str, location: Location) -> dict[str, Any]:
    await _open_patrol_of(uow, watcher_id, patrol_id)
    now = uow.context.clock.now()
    await uow.conn.execute(
        "UPDATE patrols SET ended_at = $2, end_lat = $3, end_lon = $4 WHERE patrol_id = $1",
        patrol_id,
        now,
        location.lat,
        location.lon,
    )
    patrol = await get_patrol(uow.conn, patrol_id)
    await uow.emit(
        PatrolEnded(
            patrol_id=patrol_id,
            watcher_id=watcher_id,
            location=Location(lat=location.lat, lon=location.lon),
            notes_recorded=len(patrol["notes"]),
            reports_made=len(patrol["report_ids"]),
            ended_at=now,
        )
    )
    return patrol


_PATROL_COLUMNS = """patrol_id, watcher_id, shift_id, community_code, start_lat, start_lon, end_lat, end_lon,
                     started_at, ended_at"""


async def get_patrol(
    conn: asyncpg.Connection, patrol_id: str, watcher_id: str | None = None
) -> dict[str, Any]:
    row = await conn.fetchrow(
        f"SELECT {_PATROL_COLUMNS} FROM patrols WHERE patrol_id = $1 AND ($2::text IS NULL OR watcher_id = $2)",
        patrol_id,
        watcher_id,
    )
    if row is None:
        raise NotFound("patrol_id", f"no patrol {patrol_id}")
    notes = await conn.fetch(
        "SELECT note_id, text, lat, lon, recorded_at FROM patrol_notes WHERE patrol_id = $1 ORDER BY note_id",
        patrol_id,
    )
    reports = await conn.fetch(
        "SELECT report_id FROM patrol_reports WHERE patrol_id = $1 ORDER BY linked_at, report_id", patrol_id
    )
    return {**dict(row), "notes": [dict(n) for n in notes], "report_ids": [r["report_id"] for r in reports]}


async def list_patrols(
    conn: asyncpg.Connection,
    *,
    watcher_id: str | None = None,
    communities: list[str] | None = None,
    open_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""SELECT {_PATROL_COLUMNS},
                   (SELECT count(*) FROM patrol_notes n WHERE n.patrol_id = p.patrol_id) AS notes_recorded,
                   (SELECT count(*) FROM patrol_reports r WHERE r.patrol_id = p.patrol_id) AS reports_made
            FROM patrols p
            WHERE ($1::text IS NULL OR watcher_id = $1) AND ($2::text[] IS NULL OR community_code = ANY($2))
              AND (NOT $3 OR ended_at IS NULL)
            ORDER BY started_at DESC, patrol_id LIMIT $4 OFFSET $5""",
        watcher_id,
        communities,
        open_only,
        limit,
        offset,
    )
    return [dict(row) for row in rows]
