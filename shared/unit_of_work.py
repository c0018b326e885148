"""A unit of work: one database transaction in which a handler changes state and records the events it causes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import asyncpg

from shared.events.envelope import Envelope, new_envelope
from shared.events.registry import EventData
from shared.outbox.writer import append


class UnitOfWork:
    """Handlers get one of these: `conn` for their own tables, `emit()` for events, one transaction for both.

    An event emitted while handling another carries its correlation id and names it as its cause. An event
    emitted by a command (an HTTP request) starts a story: the first one correlates to itself, later ones to it.
    """

    def __init__(
        self, conn: asyncpg.Connection, source: str, cause: Envelope | None = None, context: Any = None
    ) -> None:
        self.conn = conn
        self.source = source
        self.cause = cause
        self.context = context  # the service's dependencies: its clock, its storage, its settings...
        self._story: Envelope | None = None
        self.emitted: list[Envelope] = []

    async def emit(self, data: EventData, *, time: datetime | None = None) -> Envelope:
        if self.cause is not None:
            envelope = new_envelope(
                data,
                source=self.source,
                correlation_id=self.cause.correlation_id,
                causation_id=self.cause.id,
                time=time,
            )
        else:
            story = self._story
            envelope = new_envelope(
                data,
                source=self.source,
                correlation_id=story.correlation_id if story else None,
                causation_id=story.id if story else None,
                time=time,
            )
            self._story = story or envelope
        await append(self.conn, envelope, data)
        self.emitted.append(envelope)
        return envelope


@contextlib.asynccontextmanager
async def unit_of_work(pool: asyncpg.Pool, source: str, context: Any = None) -> AsyncIterator[UnitOfWork]:
    """Open a transaction for a command; it commits when the block ends and rolls back if it raises."""
    async with pool.acquire() as conn, conn.transaction():
        yield UnitOfWork(conn, source, context=context)
