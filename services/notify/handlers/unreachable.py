"""A recipient no channel can reach is never dropped in silence: `notification.failed` says why, and a warning.

Unreachable: in the directory with no address on any of the rule's channels, or only on channels this deployment
has not configured (an SMS-only watcher without an SMS gateway); or never in the directory while the event was
kept for them. Nothing is sent, so there is no delivery: the event's `notification_id` is derived from the cause,
the rule and the recipient, the same each time the same outcome is reached.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from services.notify.domain.rules import Rule
from services.notify.handlers.rules import list_rules
from shared.events.catalogue.notification import NotificationFailed
from shared.events.envelope import Envelope
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)
NO_CHANNEL = "none"
# Where a channel that is not configured gets configured, for the reason an operator reads.
CONFIGURED_BY = {"sms": "SMS_GATEWAY_URL"}


def why_unreachable(
    rule_channels: Sequence[str], addresses: Collection[str], configured: Collection[str]
) -> str:
    """The reason, for a recipient with addresses on `addresses` whom none of `rule_channels` reaches."""
    unconfigured = [
        channel for channel in rule_channels if channel in addresses and channel not in configured
    ]
    if unconfigured:
        settings = ", ".join(
            f"{c} needs {CONFIGURED_BY[c]}" if c in CONFIGURED_BY else c for c in unconfigured
        )
        return f"unreachable: the recipient's only addresses are on channels not configured here ({settings})"
    return f"unreachable: no address on any of the rule's channels ({', '.join(rule_channels)})"


async def report_unreachable(
    uow: UnitOfWork, rule_id: str, cause: Envelope, recipient_id: str, reason: str
) -> NotificationFailed:
    failed = NotificationFailed(
        notification_id=uuid.uuid5(cause.id, f"{rule_id}\n{recipient_id}"),
        recipient_id=recipient_id,
        channel=NO_CHANNEL,
        cause_event_id=cause.id,
        cause_event_type=cause.type,
        attempts=1,
        reason=reason[:1000],
        failed_at=uow.context.clock.now(),
        unreachable=True,
    )
    await uow.emit(failed)
    log.warning(
        "recipient unreachable; nothing sent",
        recipient_id=recipient_id,
        rule=rule_id,
        cause_event_type=cause.type,
        reason=reason,
    )
    return failed


def rules_on_unconfigured_channels(
    rules: Sequence[Rule], configured: Collection[str]
) -> dict[str, list[str]]:
    """Each enabled rule that names a channel this deployment has not configured, with those channels."""
    return {
        rule.rule_id: missing
        for rule in rules
        if rule.enabled and rule.template and (missing := [c for c in rule.channels if c not in configured])
    }


def rules_without_any_channel(rules: Sequence[Rule], configured: Collection[str]) -> list[str]:
    """Enabled rules none of whose channels is configured: they can never tell anyone."""
    return [
        rule.rule_id
        for rule in rules
        if rule.enabled and rule.template and not any(c in configured for c in rule.channels)
    ]


async def channels_ready(runtime) -> dict[str, str]:
    """The readiness hook: not ready while an enabled rule has no configured channel at all."""
    async with runtime.pool.acquire(timeout=2) as conn:
        rules = await list_rules(conn)
    silent = rules_without_any_channel(rules, runtime.context.channels)
    return {"channels": f"rules with no configured channel: {', '.join(silent)}" if silent else "ok"}


async def warn_of_unconfigured_channels(pool, configured: Collection[str]) -> dict[str, list[str]]:
    """At start, one warning naming the rules that name a channel this deployment has not configured."""
    async with pool.acquire() as conn:
        missing = rules_on_unconfigured_channels(await list_rules(conn), configured)
    if missing:
        log.warning(
            "rules name channels that are not configured; recipients reachable only there are told nothing",
            rules=missing,
            configured=sorted(configured),
        )
    return missing
