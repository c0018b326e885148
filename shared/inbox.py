"""The idempotent inbox: the record of which events a service has already handled."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


_RECORD_ALL = """
INSERT INTO inbox (source, event_id, event_type, correlation_id)
SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::uuid[])
ON CONFLICT DO NOTHING RETURNING source, event_id
"""


async def record_first_deliveries(
    conn: asyncpg.Connection, envelopes: Sequence[Envelope]
) -> set[tuple[str, Any]]:
    """`record_first_delivery` for several events in one statement: the (source, id) of those handled now."""
    rows = await conn.fetch(
        _RECORD_ALL,
        [envelope.source for envelope in envelopes],
        [envelope.id for envelope in envelopes],
        [envelope.type for envelope in envelopes],
        [envelope.correlation_id for envelope in envelopes],
    )
    return {(row["source"], row["event_id"]) for row in rows}
