"""A notice that could not reach a unit is never silent: `notification.failed` for a unit about an open case is
written on the case's timeline, and an urgent or high case is escalated to the street office at once.

The case is found by the event the notice was about: dispatch published it, and its outbox row keeps the event's
id with its subject, the case id (for `RETENTION_DAYS`, far longer than notify retries a delivery).
"""

from __future__ import annotations

from services.dispatch.domain.lifecycle import OPEN
from services.dispatch.handlers.store import audit
from services.dispatch.handlers.sweeper import escalate
from shared.events.catalogue.notification import NotificationFailed
from shared.events.envelope import Event
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)
ACTOR = "notify"
UNIT_PREFIX = "unit:"
ESCALATE_AT_ONCE = frozenset({"urgent", "high"})
UNREACHABLE = "the unit could not be reached"

_CASE_OF_EVENT = """
SELECT c.* FROM outbox o JOIN cases c ON c.case_id::text = o.subject
WHERE o.event_id = $1
FOR UPDATE OF c
"""


async def handle_notification_failed(uow: UnitOfWork, event: Event[NotificationFailed]) -> None:
    failed = event.data
    if not failed.recipient_id.startswith(UNIT_PREFIX):
        return  # a person not told: notify's own record says so; the case's handling does not depend on it
    case = await uow.conn.fetchrow(_CASE_OF_EVENT, failed.cause_event_id)
    if case is None or case["status"] not in OPEN:
        log.info("failed notice about no open case", cause_event_id=str(failed.cause_event_id))
        return
    uow.continue_story(case["correlation_id"])
    unit = failed.recipient_id.removeprefix(UNIT_PREFIX)
    now = uow.context.clock.now()
    await audit(
        uow.conn,
        case["case_id"],
        "note",
        case["status"],
        case["status"],
        actor=ACTOR,
        at=now,
        reason=f"{UNREACHABLE}: {unit} was not told of {failed.cause_event_type} by {failed.channel} "
        f"({failed.reason})"[:1000],
    )
    if (
        case["severity"] in ESCALATE_AT_ONCE
        and case["unit_id"] == unit
        and case["escalation_level"] == "unit"
    ):
        await escalate(uow, case, now, actor=ACTOR, cause=UNREACHABLE)
