"""Writing deliveries: planned once per (event, recipient, channel, purpose); reminders cancelled by key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from shared.events.envelope import Envelope
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class PlannedDelivery:
    cause: Envelope
    recipient_id: str
    channel: str
    purpose: str
    rule_id: str | None
    template: str
    language: str
    body: str
    urgent: bool
    reminder_key: str | None
    due_at: datetime
    created_at: datetime
    not_after: datetime | None = None  # a reminder: never sent once what it reminds of has started
    dropped: str | None = None  # why it will never be sent: recorded as cancelled, with this reason


# A dropped delivery is written too, cancelled with its reason, so that "why was I not reminded?" has an answer.
_INSERT_DELIVERY = """
INSERT INTO deliveries (delivery_id, cause_event_id, cause_event_type, correlation_id, recipient_id, channel,
    purpose, rule_id, template, language, body, urgent, reminder_key, due_at, next_attempt_at, created_at,
    not_after, status, last_error, finished_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16,
    CASE WHEN $17::text IS NULL THEN 'pending' ELSE 'cancelled' END, $17,
    CASE WHEN $17::text IS NULL THEN NULL ELSE $15::timestamptz END)
ON CONFLICT (cause_event_id, recipient_id, channel, purpose) DO NOTHING
"""


async def insert_deliveries(conn: asyncpg.Connection, planned: list[PlannedDelivery]) -> None:
    """One round trip for all of them; an (event, recipient, channel, purpose) that has its delivery keeps it."""
    rows = [
        (
            uuid.uuid4(),
            delivery.cause.id,
            delivery.cause.type,
            delivery.cause.correlation_id,
            delivery.recipient_id,
            delivery.channel,
            delivery.purpose,
            delivery.rule_id,
            delivery.template,
            delivery.language,
            delivery.body,
            delivery.urgent,
            delivery.reminder_key,
            delivery.due_at,
            delivery.created_at,
            delivery.not_after,
            delivery.dropped,
        )
        for delivery in planned
    ]
    if len(rows) == 1:  # the common case; executemany costs more for a single row
        await conn.execute(_INSERT_DELIVERY, *rows[0])
    elif rows:
        await conn.executemany(_INSERT_DELIVERY, rows)


async def cancel_reminders(
    conn: asyncpg.Connection, key: str, recipients: list[str], cause: Envelope, now: datetime
) -> int:
    """Cancel the pending reminders of `key` for these recipients ('*': everyone), and remember the cancellation
    so that reminders scheduled by an older event that arrives later are not created."""
    await conn.executemany(
        """
        INSERT INTO reminder_cancellations (reminder_key, recipient_id, cancelled_at, cause_event_id)
        VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING
        """,
        [(key, recipient, cause.time, cause.id) for recipient in recipients],
    )
    everyone = "*" in recipients
    status = await conn.execute(
        """
        UPDATE deliveries SET status = 'cancelled', finished_at = $3, lease_until = NULL,
            last_error = 'cancelled by ' || $4
        WHERE reminder_key = $1 AND status = 'pending' AND ($5 OR recipient_id = ANY($2::text[]))
        """,
        key,
        recipients,
        now,
        cause.type,
        everyone,
    )
    cancelled = int(status.split()[-1])
    log.info("reminders cancelled", reminder_key=key, cancelled=cancelled)
    return cancelled
