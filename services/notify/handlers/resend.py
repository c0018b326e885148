"""Resending a delivery: a new delivery with the same text, purpose `resend:<n>`, due now."""

from __future__ import annotations

import uuid

from shared.errors import Conflict, NotFound
from shared.unit_of_work import UnitOfWork


class DeliveryNotFound(NotFound):
    def __init__(self, delivery_id: object) -> None:
        super().__init__("delivery_id", f"no delivery {delivery_id}")


class DeliveryStillPending(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"the delivery is {status}: it is still going to be sent", state=status)
        self.status = status


async def resend(uow: UnitOfWork, delivery_id: uuid.UUID) -> uuid.UUID:
    conn = uow.conn
    original = await conn.fetchrow("SELECT * FROM deliveries WHERE delivery_id = $1 FOR UPDATE", delivery_id)
    if original is None:
        raise DeliveryNotFound(str(delivery_id))
    if original["status"] in ("pending", "in_flight"):
        raise DeliveryStillPending(original["status"])
    resends = await conn.fetchval(
        """SELECT count(*) FROM deliveries WHERE cause_event_id = $1 AND recipient_id = $2 AND channel = $3
           AND purpose LIKE 'resend:%'""",
        original["cause_event_id"],
        original["recipient_id"],
        original["channel"],
    )
    now = uow.context.clock.now()
    new_id = uuid.uuid4()
    await conn.execute(
        """
        INSERT INTO deliveries (delivery_id, cause_event_id, cause_event_type, correlation_id, recipient_id, channel,
            purpose, rule_id, template, language, body, urgent, due_at, next_attempt_at, created_at)
        SELECT $2, cause_event_id, cause_event_type, correlation_id, recipient_id, channel, $3, rule_id, template,
            language, body, urgent, $4, $4, $4
        FROM deliveries WHERE delivery_id = $1
        """,
        delivery_id,
        new_id,
        f"resend:{resends + 1}",
        now,
    )
    return new_id
