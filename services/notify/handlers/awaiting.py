"""Events that named someone the directory did not know yet, planned when that person arrives.

Separate queues mean a `patrol.shift.scheduled` can be consumed before the `watcher.registered` of its watcher.
Such a (rule, event, recipient) waits here; a directory event for the recipient plans it, if it is not too old.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from services.notify.domain.rules import Rule
from services.notify.handlers.unreachable import report_unreachable
from shared.events import Event
from shared.events.envelope import Envelope
from shared.events.registry import model_for
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)
KEPT_FOR = timedelta(days=7)


async def lock_recipient(conn, recipient_id: str) -> None:
    """Serialise, per recipient, "not known yet, so wait" with "now known, so plan what waited"."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", recipient_id)


async def remember(uow: UnitOfWork, rule: Rule, event: Event[Any], recipient_id: str) -> None:
    envelope = event.envelope
    now = uow.context.clock.now()
    # people who never arrive (residents are not in the directory) must not pile up, nor go untold of
    expired = await uow.conn.fetch(
        "DELETE FROM awaiting_recipients WHERE created_at < $1 RETURNING *", now - KEPT_FOR
    )
    for row in expired:
        await _never_arrived(uow, row)
    await uow.conn.execute(
        """
        INSERT INTO awaiting_recipients (recipient_id, rule_id, event_id, event_source, event_type, event_version,
            event_time, correlation_id, data, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $10) ON CONFLICT DO NOTHING
        """,
        recipient_id,
        rule.rule_id,
        envelope.id,
        envelope.source,
        envelope.type,
        envelope.version,
        envelope.time,
        envelope.correlation_id,
        event.data.model_dump_json(),
        now,
    )


async def plan_awaiting(uow: UnitOfWork, recipient_id: str) -> int:
    """Plan what waited for this recipient (from events of the last KEPT_FOR); returns how many."""
    from services.notify.handlers.notify import plan_for_recipient, rule_key  # (they call remember())

    rows = await uow.conn.fetch(
        "DELETE FROM awaiting_recipients WHERE recipient_id = $1 RETURNING *", recipient_id
    )
    now = uow.context.clock.now()
    planned = 0
    for row in rows:
        if row["created_at"] < now - KEPT_FOR:
            await _never_arrived(uow, row)
            continue
        found = await uow.conn.fetchrow("SELECT * FROM rules WHERE rule_id = $1 AND enabled", row["rule_id"])
        if found is None:
            continue
        rule = Rule.from_row(found)
        raw = row["data"] if isinstance(row["data"], str) else json.dumps(row["data"])
        data = model_for(row["event_type"], row["event_version"]).model_validate_json(raw)
        values = data.model_dump(mode="python")
        await plan_for_recipient(
            uow, rule, Event(_cause(row), data), values, recipient_id, rule_key(rule, values)
        )
        planned += 1
    if planned:
        log.info(
            "planned messages that waited for their recipient", recipient_id=recipient_id, planned=planned
        )
    return planned


def _cause(row) -> Envelope:
    return Envelope(
        id=row["event_id"],
        source=row["event_source"],
        type=row["event_type"],
        version=row["event_version"],
        time=row["event_time"],
        correlation_id=row["correlation_id"],
    )


async def _never_arrived(uow: UnitOfWork, row) -> None:
    reason = f"unreachable: not in notify's directory within {KEPT_FOR.days} days of the event"
    await report_unreachable(uow, row["rule_id"], _cause(row), row["recipient_id"], reason)


async def plan_awaiting_units(uow: UnitOfWork) -> int:
    """After units are loaded: plan what was consumed for a unit before the directory had it (a first start)."""
    units = await uow.conn.fetch(
        """SELECT DISTINCT a.recipient_id FROM awaiting_recipients a
           JOIN recipients r USING (recipient_id) WHERE r.kind = 'unit'"""
    )
    planned = 0
    for row in units:
        await lock_recipient(uow.conn, row["recipient_id"])
        planned += await plan_awaiting(uow, row["recipient_id"])
    return planned
