"""Finding a watcher for a command, and refusing one who no longer serves."""

from __future__ import annotations

import asyncpg

from services.patrol.domain.watcher_errors import Conflict, NotFound


async def watcher_row(conn: asyncpg.Connection, watcher_id: str, *, lock: bool = False) -> asyncpg.Record:
    query = "SELECT * FROM watchers WHERE watcher_id = $1" + (" FOR UPDATE" if lock else "")
    row = await conn.fetchrow(query, watcher_id)
    if row is None:
        raise NotFound("watcher_id", f"no watcher {watcher_id}")
    return row


async def active_watcher(conn: asyncpg.Connection, watcher_id: str, *, lock: bool = False) -> asyncpg.Record:
    row = await watcher_row(conn, watcher_id, lock=lock)
    if not row["active"]:
        raise Conflict("deactivated", f"watcher {watcher_id} is deactivated")
    return row
