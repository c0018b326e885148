"""A unit of work: one database transaction in which a handler changes state and records the events it causes."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import asyncpg

from shared.events.envelope import Envelope, new_envelope
from shared.events.registry import EventData
from shared.observability import tracing
from shared.outbox.writer import append


class UnitOfWork:
    """Handlers get one of these: `conn` for their own tables, `emit()` for events, one transaction for both.

    An event emitted while handling another carries its correlation id and names it as its cause. An event
    emitted by a command (an HTTP request) starts a story: the first one correlates to itself, later ones to it,
    unless the command acts on something whose story is known (a case opened by a report): `continue_story` makes
    every event of the unit of work carry that story's correlation id instead.
    """

    def __init__(
        self, conn: asyncpg.Connection, source: str, cause: Envelope | None = None, context: Any = None
    ) -> None:
        self.conn = conn
        self.source = source
        self.cause = cause
        self.context = context  # the service's dependencies: its clock, its storage, its settings...
        self._story: Envelope | None = None
        self._continued: uuid.UUID | None = None
        self.emitted: list[Envelope] = []

    def continue_story(self, correlation_id: uuid.UUID | None) -> None:
        """The events of this unit of work belong to the story `correlation_id` (None: leave it as it is)."""
        if correlation_id is not None:
            self._continued = correlation_id

    @property
    def correlation_id(self) -> uuid.UUID | None:
        """The story this unit of work's events belong to, where it is known before the first one is emitted."""
        if self._continued is not None:
            return self._continued
        if self.cause is not None:
            return self.cause.correlation_id
        return self._story.correlation_id if self._story else None

    async def emit(self, data: EventData, *, time: datetime | None = None) -> Envelope:
        trace_context = tracing.current_trace_context(
            self.cause.trace_context if self.cause is not None else tracing.NO_TRACE_CONTEXT
        )
        if self.cause is not None:
            envelope = new_envelope(
                data,
                source=self.source,
                correlation_id=self._continued or self.cause.correlation_id,
                causation_id=self.cause.id,
                time=time,
                trace_context=trace_context,
            )
        elif self._continued is not None:
            envelope = new_envelope(
                data,
                source=self.source,
                correlation_id=self._continued,
                time=time,
                trace_context=trace_context,
            )
        else:
            story = self._story
            envelope = new_envelope(
                data,
                source=self.source,
                correlation_id=story.correlation_id if story else None,
                causation_id=story.id if story else None,
                time=time,
                trace_context=trace_context,
            )
            self._story = story or envelope
        await append(self.conn, envelope, data)
        self.emitted.append(envelope)
        return envelope


@contextlib.asynccontextmanager
async def unit_of_work(pool: asyncpg.Pool, source: str, context: Any = None) -> AsyncIterator[UnitOfWork]:
    """Open a transaction for a command; it commits when the block ends and rolls back if it raises."""
    with tracing.transaction(source):
        async with pool.acquire() as conn, conn.transaction():
            yield UnitOfWork(conn, source, context=context)
