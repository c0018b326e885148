"""Recording what a channel answered: the attempt, the delivery's new state, and its event, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from services.notify.adapters.channels.port import OutgoingMessage, SendResult
from services.notify.domain.schedule import backoff
from shared.events.catalogue.notification import NotificationFailed, NotificationSent
from shared.events.envelope import new_envelope
from shared.events.registry import EventData
from shared.outbox.writer import append

_FINISH = """
UPDATE deliveries SET status = $3, lease_until = NULL, next_attempt_at = coalesce($4, next_attempt_at),
    finished_at = CASE WHEN $3::text IN ('sent', 'failed') THEN $5::timestamptz END,
    last_error = CASE WHEN $3::text = 'sent' THEN NULL ELSE $6::text END
WHERE delivery_id = $1 AND status = 'in_flight' AND attempts = $2
RETURNING true
"""


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker holds in flight, as attempt number `attempt`."""

    message: OutgoingMessage
    attempt: int
    channel: str
    cause_event_type: str
    correlation_id: UUID


async def record_outcome(
    conn: asyncpg.Connection, item: Claimed, result: SendResult, *, now: datetime, context, source: str
) -> None:
    """Sent, failed for good (permanent, or the last attempt), or pending again after a back-off."""
    settings = context.settings
    delivery_id = item.message.delivery_id
    detail = result.detail[:1000]
    await conn.execute(
        """UPDATE delivery_attempts SET finished_at = $3, outcome = $4, detail = $5
           WHERE delivery_id = $1 AND attempt = $2""",
        delivery_id,
        item.attempt,
        now,
        result.outcome,
        detail,
    )
    next_at: datetime | None = None
    if result.outcome == "success":
        status = "sent"
    elif result.outcome == "permanent" or item.attempt >= settings.retry_max_attempts:
        status = "failed"
    else:
        status = "pending"
        next_at = now + backoff(
            item.attempt, settings.retry_base_seconds, settings.retry_max_seconds, context.jitter
        )
    if not await conn.fetchval(_FINISH, delivery_id, item.attempt, status, next_at, now, detail):
        return  # the lease ran out and another worker owns the delivery now
    if status == "sent":
        await _emit(conn, item, NotificationSent(**_common(item), sent_at=now), now, source)
    elif status == "failed":
        reason = f"{result.outcome}: {result.detail}"[:1000]
        await _emit(
            conn, item, NotificationFailed(**_common(item), reason=reason, failed_at=now), now, source
        )


def _common(item: Claimed) -> dict:
    return {
        "notification_id": item.message.delivery_id,
        "recipient_id": item.message.recipient_id,
        "channel": item.channel,
        "cause_event_id": item.message.event_id,
        "cause_event_type": item.cause_event_type,
        "attempts": item.attempt,
        "purpose": item.message.purpose,
    }


async def _emit(conn: asyncpg.Connection, item: Claimed, data: EventData, now: datetime, source: str) -> None:
    envelope = new_envelope(
        data, source=source, correlation_id=item.correlation_id, causation_id=item.message.event_id, time=now
    )
    await append(conn, envelope, data)
