"""Retention of the backbone's tables: published outbox rows and inbox rows older than the window are deleted.

In small batches (short transactions, short locks), each batch claiming its rows with FOR UPDATE SKIP LOCKED, so
replicas that run at once delete each row once and never wait for one another. Unpublished and unroutable
outbox rows are kept whatever their age: the first are still to be sent, the second are for an operator.

The inbox is what makes a redelivery harmless; a redelivery of an event handled longer ago than the window is
handled again, so the window must exceed the longest an event can wait in a queue or a dead-letter queue before
it is requeued.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncpg

from shared.logging import get_logger

log = get_logger(__name__)

BATCH_SIZE = 1000
INTERVAL_SECONDS = 600.0
PAUSE_BETWEEN_BATCHES_SECONDS = 0.05

_DELETE_PUBLISHED = """
WITH expired AS (
    SELECT position FROM outbox
    WHERE published_at < now() - make_interval(secs => $1) AND NOT unroutable
    ORDER BY published_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
DELETE FROM outbox o USING expired e WHERE o.position = e.position
"""
_DELETE_HANDLED = """
WITH expired AS (
    SELECT source, event_id FROM inbox
    WHERE handled_at < now() - make_interval(secs => $1)
    ORDER BY handled_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
DELETE FROM inbox i USING expired e WHERE i.source = e.source AND i.event_id = e.event_id
"""


@dataclass(frozen=True)
class Purged:
    outbox: int
    inbox: int


async def delete_one_batch(
    conn: asyncpg.Connection, table: str, older_than_seconds: float, limit: int
) -> int:
    statement = _DELETE_PUBLISHED if table == "outbox" else _DELETE_HANDLED
    status = await conn.execute(statement, older_than_seconds, limit)
    return int(status.split()[-1])


async def purge_expired(
    pool: asyncpg.Pool, retention_days: float, *, batch_size: int = BATCH_SIZE, pause: float = 0.0
) -> Purged:
    """Delete what is older than the window, a batch per transaction, until a batch comes back short."""
    older_than = retention_days * 86400
    deleted = {}
    for table in ("outbox", "inbox"):
        deleted[table] = 0
        while True:
            async with pool.acquire() as conn:
                count = await delete_one_batch(conn, table, older_than, batch_size)
            deleted[table] += count
            if count < batch_size:
                break
            await asyncio.sleep(pause)
    return Purged(outbox=deleted["outbox"], inbox=deleted["inbox"])


async def purge_forever(
    pool: asyncpg.Pool, retention_days: float, interval: float = INTERVAL_SECONDS
) -> None:
    """A service's retention task: a purge at start and every `interval` seconds."""
    while True:
        purged = await purge_expired(pool, retention_days, pause=PAUSE_BETWEEN_BATCHES_SECONDS)
        if purged.outbox or purged.inbox:
            log.info("expired backbone rows deleted", outbox=purged.outbox, inbox=purged.inbox)
        await asyncio.sleep(interval)
