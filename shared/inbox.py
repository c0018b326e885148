"""The idempotent inbox: the record of which events a service has already handled."""

from __future__ import annotations

import asyncpg

from shared.events.envelope import Envelope

_RECORD = """
INSERT INTO inbox (source, event_id, event_type, correlation_id) VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING RETURNING true
"""


async def record_first_delivery(conn: asyncpg.Connection, envelope: Envelope) -> bool:
    """Record the event as handled, in the caller's transaction. False when it was handled before.

    A concurrent delivery of the same event waits on the row lock, then sees the conflict: it is a duplicate.
    """
    inserted = await conn.fetchval(
        _RECORD, envelope.source, envelope.id, envelope.type, envelope.correlation_id
    )
    return bool(inserted)
