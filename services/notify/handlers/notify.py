"""One handler for every event a rule can name: find the rules, pick the recipients, plan the deliveries.

Everything happens in the inbox transaction of the event: a delivery row per (event, recipient, channel,
purpose), rendered now and stored with its text; the delivery worker sends it when it is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from services.notify.domain.rules import Rule, format_key, is_urgent, select_recipients
from services.notify.domain.schedule import parse_quiet_hours, reminder_moment, reminder_time
from services.notify.handlers.awaiting import lock_recipient, remember
from services.notify.handlers.deliveries import PlannedDelivery, cancel_reminders, insert_deliveries
from services.notify.handlers.rules import enabled_rules
from services.notify.handlers.unreachable import report_unreachable, why_unreachable
from shared.events import Event
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)


# What planning needs of a recipient, in one statement: who they are, the channels they have an address on, and
# whether the reminders of this key were cancelled for them since the event (a null key: not asked).
_RECIPIENT = """
SELECT display_name, preferred_language, active, quiet_start, quiet_end,
    ARRAY(SELECT channel FROM contact_points c WHERE c.recipient_id = r.recipient_id) AS channels,
    EXISTS (SELECT 1 FROM reminder_cancellations
            WHERE reminder_key = $2 AND recipient_id IN ($1, '*') AND cancelled_at >= $3) AS cancelled_since
FROM recipients r WHERE recipient_id = $1
"""


@dataclass(frozen=True)
class Purpose:
    """One message a rule plans for a recipient: the notice itself, or a reminder before a start time."""

    name: str
    template: str
    due: datetime
    not_after: datetime | None = None
    dropped: str | None = None


def quiet_hours_of(recipient: Any, default: str | None) -> tuple[time, time] | None:
    """The recipient's own quiet hours, else the deployment's."""
    if recipient["quiet_start"] is not None and recipient["quiet_end"] is not None:
        return recipient["quiet_start"], recipient["quiet_end"]
    return parse_quiet_hours(default)


async def handle_event(uow: UnitOfWork, event: Event[Any]) -> None:
    data = event.data.model_dump(mode="python")
    for rule in await enabled_rules(uow.context.rules, uow.conn, event.envelope.type):
        await apply_rule(uow, rule, event, data)


async def apply_rule(uow: UnitOfWork, rule: Rule, event: Event[Any], data: dict[str, Any]) -> None:
    recipients = select_recipients(rule.selector, data)
    key = rule_key(rule, data)
    if rule.cancels_reminders and key:
        scope = ["*"] if rule.cancels_reminders == "all" else recipients
        await cancel_reminders(uow.conn, key, scope, event.envelope, uow.context.clock.now())
    if rule.template is None:
        return
    for recipient_id in recipients:
        await plan_for_recipient(uow, rule, event, data, recipient_id, key)


def rule_key(rule: Rule, data: dict[str, Any]) -> str | None:
    return format_key(rule.reminder_key, data) if rule.reminder_key else None


async def plan_for_recipient(
    uow: UnitOfWork, rule: Rule, event: Event[Any], data: dict[str, Any], recipient_id: str, key: str | None
) -> None:
    cancelled_key = None if rule.cancels_reminders else key
    recipient = await uow.conn.fetchrow(_RECIPIENT, recipient_id, cancelled_key, event.envelope.time)
    if recipient is None:
        # Told to wait only under the recipient's lock, so that a registration committing meanwhile either is seen
        # here or finds the waiting message. The lock is a statement of its own: a statement reads what was
        # committed when it began, and a registration that committed while the lock was awaited must be seen.
        await lock_recipient(uow.conn, recipient_id)
        recipient = await uow.conn.fetchrow(_RECIPIENT, recipient_id, cancelled_key, event.envelope.time)
    if recipient is None:
        log.info("recipient not in the directory yet; the message waits for them", recipient_id=recipient_id)
        await remember(uow, rule, event, recipient_id)
        return
    if not recipient["active"]:
        log.info("recipient inactive; nothing to send", recipient_id=recipient_id)
        return
    if recipient["cancelled_since"]:
        log.info("cancelled since this event; nothing to send", recipient_id=recipient_id, reminder_key=key)
        return
    configured = uow.context.channels  # e.g. no SMS without a gateway: fall through to the next channel
    reachable = [channel for channel in recipient["channels"] if channel in configured]
    # A development stand-in (texts recorded, not sent) is the last resort, after every channel that delivers.
    delivering = [channel for channel in reachable if not getattr(configured[channel], "stand_in", False)]
    channels = rule.channels_for(delivering) or rule.channels_for(reachable)
    if not channels:
        reason = why_unreachable(rule.channels, recipient["channels"], configured)
        await report_unreachable(uow, rule.rule_id, event.envelope, recipient_id, reason)
        return
    now = uow.context.clock.now()
    urgent = is_urgent(rule.urgency, data)
    values = {**data, "recipient_name": recipient["display_name"], "event_type": event.envelope.type}
    purposes = [Purpose("notice", rule.template, now)]
    starts_at = data.get(rule.reminder_field) if rule.reminder_field else None
    quiet = None if urgent else quiet_hours_of(recipient, uow.context.settings.quiet_hours_default)
    for spec in rule.reminders if starts_at is not None else []:
        due = reminder_time(spec, starts_at)
        if due <= now:  # a reminder whose moment has passed is not worth sending late
            continue
        moment, dropped = reminder_moment(due, starts_at, now, quiet)
        purpose = Purpose(f"reminder:{spec}", f"{rule.template}.reminder", moment or due, starts_at, dropped)
        if dropped:
            log.info("reminder dropped", recipient_id=recipient_id, reminder=spec, reason=dropped)
        purposes.append(purpose)
    renderer = uow.context.renderer
    planned = []
    for channel in channels:
        for purpose in purposes:
            body, language = renderer.render(
                purpose.template, channel, recipient["preferred_language"], values
            )
            planned.append(
                PlannedDelivery(
                    cause=event.envelope,
                    recipient_id=recipient_id,
                    channel=channel,
                    purpose=purpose.name,
                    rule_id=rule.rule_id,
                    template=purpose.template,
                    language=language,
                    body=body,
                    urgent=urgent,
                    reminder_key=key if purpose.name.startswith("reminder:") else None,
                    due_at=purpose.due,
                    created_at=now,
                    not_after=purpose.not_after,
                    dropped=purpose.dropped,
                )
            )
    await insert_deliveries(uow.conn, planned)
