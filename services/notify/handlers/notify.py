"""One handler for every event a rule can name: find the rules, pick the recipients, plan the deliveries.

Everything happens in the inbox transaction of the event: a delivery row per (event, recipient, channel,
purpose), rendered now and stored with its text; the delivery worker sends it when it is due.
"""

from __future__ import annotations

from typing import Any

from services.notify.domain.rules import Rule, format_key, is_urgent, select_recipients
from services.notify.domain.schedule import reminder_time
from services.notify.handlers.awaiting import lock_recipient, remember
from services.notify.handlers.deliveries import (
    PlannedDelivery,
    cancel_reminders,
    insert_delivery,
    reminders_cancelled_since,
)
from shared.events import Event
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def rules_for(conn, event_type: str) -> list[Rule]:
    rows = await conn.fetch(
        "SELECT * FROM rules WHERE event_type = $1 AND enabled ORDER BY rule_id", event_type
    )
    return [Rule.from_row(row) for row in rows]


async def handle_event(uow: UnitOfWork, event: Event[Any]) -> None:
    data = event.data.model_dump(mode="python")
    for rule in await rules_for(uow.conn, event.envelope.type):
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
    await lock_recipient(uow.conn, recipient_id)  # against a registration committing in between
    recipient = await uow.conn.fetchrow(
        "SELECT display_name, preferred_language, active FROM recipients WHERE recipient_id = $1",
        recipient_id,
    )
    if recipient is None:
        log.info("recipient not in the directory yet; the message waits for them", recipient_id=recipient_id)
        await remember(uow, rule, event, recipient_id)
        return
    if not recipient["active"]:
        log.info("recipient inactive; nothing to send", recipient_id=recipient_id)
        return
    configured = uow.context.channels  # e.g. no SMS without a gateway: fall through to the next channel
    available = [
        row["channel"]
        for row in await uow.conn.fetch(
            "SELECT channel FROM contact_points WHERE recipient_id = $1", recipient_id
        )
        if row["channel"] in configured
    ]
    channels = rule.channels_for(available)
    if not channels:
        log.info(
            "recipient has no address on the rule's channels", recipient_id=recipient_id, rule=rule.rule_id
        )
        return
    if not rule.cancels_reminders and await reminders_cancelled_since(
        uow.conn, key, recipient_id, event.envelope.time
    ):
        log.info("cancelled since this event; nothing to send", recipient_id=recipient_id, reminder_key=key)
        return
    now = uow.context.clock.now()
    urgent = is_urgent(rule.urgency, data)
    values = {**data, "recipient_name": recipient["display_name"], "event_type": event.envelope.type}
    purposes: list[tuple[str, str, Any]] = [("notice", rule.template, now)]
    starts_at = data.get(rule.reminder_field) if rule.reminder_field else None
    for spec in rule.reminders if starts_at is not None else []:
        due = reminder_time(spec, starts_at)
        if due > now:  # a reminder whose moment has passed is not worth sending late
            purposes.append((f"reminder:{spec}", f"{rule.template}.reminder", due))
    renderer = uow.context.renderer
    for channel in channels:
        for purpose, template, due in purposes:
            body, language = renderer.render(template, channel, recipient["preferred_language"], values)
            await insert_delivery(
                uow.conn,
                PlannedDelivery(
                    cause=event.envelope,
                    recipient_id=recipient_id,
                    channel=channel,
                    purpose=purpose,
                    rule_id=rule.rule_id,
                    template=template,
                    language=language,
                    body=body,
                    urgent=urgent,
                    reminder_key=key if purpose.startswith("reminder:") else None,
                    due_at=due,
                    created_at=now,
                ),
            )
