"""Recording what the channels answered: the attempts, the deliveries' new states, and their events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from services.notify.adapters.channels.port import OutgoingMessage, SendResult
from services.notify.domain.schedule import backoff
from shared.events.catalogue.notification import NotificationFailed, NotificationSent
from shared.events.envelope import Envelope, new_envelope
from shared.events.registry import EventData
from shared.outbox.writer import append_many

# A pass's outcomes in one statement: each attempt closed, each delivery moved on, unless its lease ran out and
# another worker owns it now (its attempt number moved on). Returns the deliveries moved on.
_FINISH = """
WITH outcome AS (
    SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
        AS o(delivery_id, attempt, outcome, status, next_attempt_at, detail)
), closed_attempts AS (
    UPDATE delivery_attempts a SET finished_at = $7, outcome = o.outcome, detail = o.detail
    FROM outcome o WHERE a.delivery_id = o.delivery_id AND a.attempt = o.attempt
)
UPDATE deliveries d SET status = o.status, lease_until = NULL,
    next_attempt_at = coalesce(o.next_attempt_at, d.next_attempt_at),
    finished_at = CASE WHEN o.status IN ('sent', 'failed') THEN $7::timestamptz END,
    last_error = CASE WHEN o.status = 'sent' THEN NULL ELSE o.detail END
FROM outcome o
WHERE d.delivery_id = o.delivery_id AND d.status = 'in_flight' AND d.attempts = o.attempt
RETURNING d.delivery_id
"""


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker holds in flight, as attempt number `attempt`."""

    message: OutgoingMessage
    attempt: int
    channel: str
    cause_event_type: str
    correlation_id: UUID


def next_status(item: Claimed, result: SendResult, now: datetime, context) -> tuple[str, datetime | None]:
    """Sent, failed for good (permanent, or the last attempt), or pending again after a back-off (and when)."""
    settings = context.settings
    if result.outcome == "success":
        return "sent", None
    if result.outcome == "permanent" or item.attempt >= settings.retry_max_attempts:
        return "failed", None
    delay = backoff(item.attempt, settings.retry_base_seconds, settings.retry_max_seconds, context.jitter)
    return "pending", now + delay


async def record_outcomes(
    conn: asyncpg.Connection,
    outcomes: list[tuple[Claimed, SendResult]],
    *,
    now: datetime,
    context,
    source: str,
) -> None:
    """Each attempt and its delivery's new state, then a `notification.*` event for each delivery that ended."""
    statuses = [next_status(item, result, now, context) for item, result in outcomes]
    moved_on = {
        row["delivery_id"]
        for row in await conn.fetch(
            _FINISH,
            [item.message.delivery_id for item, _ in outcomes],
            [item.attempt for item, _ in outcomes],
            [result.outcome for _, result in outcomes],
            [status for status, _ in statuses],
            [next_at for _, next_at in statuses],
            [result.detail[:1000] for _, result in outcomes],
            now,
        )
    }
    events: list[tuple[Envelope, EventData]] = []
    for (item, result), (status, _) in zip(outcomes, statuses, strict=True):
        if item.message.delivery_id not in moved_on:
            continue  # the lease ran out and another worker owns the delivery now
        if status == "sent":
            events.append(_event(item, NotificationSent(**_common(item), sent_at=now), now, source))
        elif status == "failed":
            reason = f"{result.outcome}: {result.detail}"[:1000]
            events.append(
                _event(item, NotificationFailed(**_common(item), reason=reason, failed_at=now), now, source)
            )
    await append_many(conn, events)


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


def _event(item: Claimed, data: EventData, now: datetime, source: str) -> tuple[Envelope, EventData]:
    envelope = new_envelope(
        data, source=source, correlation_id=item.correlation_id, causation_id=item.message.event_id, time=now
    )
    return envelope, data
