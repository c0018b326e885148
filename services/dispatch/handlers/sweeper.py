"""The sweeper: escalates overdue cases one level at a time and closes resolved cases nobody verified.

Safe with several replicas: each case is claimed with FOR UPDATE SKIP LOCKED in a transaction of its own, and
the escalations table's primary key (case, cycle, level) makes "once per level" hold in the database itself.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from services.dispatch.context import DispatchContext
from services.dispatch.domain.lifecycle import OPEN
from services.dispatch.handlers.store import escalation_target, transition
from shared.events.catalogue.dispatch import DispatchEscalated
from shared.events.catalogue.issue import IssueClosed
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork, unit_of_work

log = get_logger(__name__)
SWEEPER = "sweeper"
NEXT_LEVEL = {"unit": "street", "street": "district"}


@dataclass(frozen=True)
class Sweep:
    escalated: int
    closed: int


async def sweep_overdue(pool: asyncpg.Pool, context: DispatchContext, source: str) -> Sweep:
    """One pass: every case due for escalation, then every resolved case due to close by itself."""
    now = context.clock.now()
    escalated = closed = 0
    while True:
        async with unit_of_work(pool, source, context) as uow:
            case = await uow.conn.fetchrow(
                """SELECT * FROM cases WHERE escalate_at <= $1 AND status = ANY($2::text[])
                   ORDER BY escalate_at LIMIT 1 FOR UPDATE SKIP LOCKED""",
                now,
                sorted(OPEN),
            )
            if case is None:
                break
            uow.continue_story(case["correlation_id"])
            escalated += await escalate(uow, case, now)
    while True:
        async with unit_of_work(pool, source, context) as uow:
            case = await uow.conn.fetchrow(
                """SELECT * FROM cases WHERE status = 'resolved' AND resolved_at <= $1
                   ORDER BY resolved_at LIMIT 1 FOR UPDATE SKIP LOCKED""",
                now - context.policy.auto_close_after,
            )
            if case is None:
                break
            uow.continue_story(case["correlation_id"])
            await transition(
                uow.conn,
                case,
                "auto_close",
                actor=SWEEPER,
                at=now,
                reason="nobody verified it in time",
                changes={"closed_at": now},
            )
            await uow.emit(
                IssueClosed(
                    case_id=case["case_id"],
                    case_number=case["case_number"],
                    closed_automatically=True,
                    closed_at=now,
                )
            )
            closed += 1
    return Sweep(escalated, closed)


async def escalate(
    uow: UnitOfWork, case: asyncpg.Record, now: datetime, *, actor: str = SWEEPER, cause: str | None = None
) -> int:
    """Escalate the case one level (once per level and cycle); `cause` says why when it is not the missed
    deadline. Returns 1 if it was escalated now."""
    conn, context = uow.conn, uow.context
    level = NEXT_LEVEL.get(case["escalation_level"])
    target = await escalation_target(conn, context.routing, level, case["street_code"]) if level else None
    if level == "street" and target == case["unit_id"]:  # the street office already holds it
        level = "district"
        target = await escalation_target(conn, context.routing, level, case["street_code"])
    if level is None or target is None:
        await conn.execute("UPDATE cases SET escalate_at = NULL WHERE case_id = $1", case["case_id"])
        return 0
    next_at = (
        now + context.policy.time_allowed(case["severity"], case["category"]) if level == "street" else None
    )
    first = await conn.fetchval(
        """INSERT INTO escalations (case_id, cycle, level, escalated_to, missed_deadline, escalated_at)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING true""",
        case["case_id"],
        case["cycle"],
        level,
        target,
        case["escalate_at"] or case["deadline"],
        now,
    )
    changes = {"escalation_level": level, "escalated_to": target, "escalate_at": next_at}
    why = cause or f"deadline {case['escalate_at'].isoformat()} missed"
    if not first:
        await conn.execute(
            "UPDATE cases SET escalation_level = $2, escalated_to = $3, escalate_at = $4 WHERE case_id = $1",
            case["case_id"],
            *changes.values(),
        )
        return 0
    await transition(
        conn,
        case,
        "escalate",
        actor=actor,
        at=now,
        reason=f"{why}: escalated to {level} ({target})",
        changes=changes,
    )
    await uow.emit(
        DispatchEscalated(
            case_id=case["case_id"],
            case_number=case["case_number"],
            level=level,
            escalated_to=target,
            deadline=case["escalate_at"] or case["deadline"],
            escalated_at=now,
        )
    )
    return 1


async def sweep_forever(runtime) -> None:
    """The service's background task: a sweep every `sweep_interval_seconds`, errors logged, never fatal."""
    context: DispatchContext = runtime.context
    while True:
        await asyncio.sleep(context.settings.sweep_interval_seconds)
        try:
            result = await sweep_overdue(runtime.pool, context, runtime.definition.source)
            if result.escalated or result.closed:
                log.info("sweep", escalated=result.escalated, closed=result.closed)
        except Exception:
            log.exception("sweep failed; trying again at the next interval")
