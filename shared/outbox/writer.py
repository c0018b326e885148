"""Writing events into a service's outbox, inside the caller's transaction."""

from __future__ import annotations

import asyncpg

from shared.events.envelope import Envelope
from shared.events.registry import EventData

_INSERT = """
INSERT INTO outbox (event_id, source, event_type, version, subject, occurred_at, correlation_id, causation_id, data,
                    traceparent, tracestate)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $10, $11)
"""


async def append(conn: asyncpg.Connection, envelope: Envelope, data: EventData) -> None:
    await append_many(conn, [(envelope, data)])


async def append_many(conn: asyncpg.Connection, events: list[tuple[Envelope, EventData]]) -> None:
    """Several events in one go (asyncpg sends the rows in one pipeline), in the order given."""
    if not conn.is_in_transaction():
        raise RuntimeError("events must be written inside the transaction of the state change they record")
    rows = [
        (
            envelope.id,
            envelope.source,
            envelope.type,
            envelope.version,
            envelope.subject,
            envelope.time,
            envelope.correlation_id,
            envelope.causation_id,
            data.model_dump_json(),
            envelope.traceparent,
            envelope.tracestate,
        )
        for envelope, data in events
    ]
    if len(rows) == 1:
        await conn.execute(_INSERT, *rows[0])
    elif rows:
        await conn.executemany(_INSERT, rows)
