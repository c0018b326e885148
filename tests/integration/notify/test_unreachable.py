"""A recipient no channel can reach is never dropped in silence: `notification.failed` with the reason and a
warning; the rules that name a channel this deployment has not configured are named at start and in /readyz."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import structlog

from services.notify.handlers.unreachable import channels_ready, warn_of_unconfigured_channels
from shared.clock import DISTRICT_TIMEZONE, ManualClock
from shared.events.catalogue.common import PersonRef
from shared.events.catalogue.hazard import HazardMerged
from shared.events.catalogue.issue import IssueResolved
from tests.integration.notify.conftest import add_recipient
from tests.support.db import count
from tests.support.queues import take_all
from tests.support.waiting import eventually

NOON = datetime(2026, 4, 6, 12, 0, tzinfo=DISTRICT_TIMEZONE)


def merged(reporter: str, at: datetime = NOON) -> HazardMerged:
    return HazardMerged(
        report_id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        primary_report_id=uuid.uuid4(),
        reporter=PersonRef(kind="watcher", id=reporter),
        merged_at=at,
    )


async def failures(amqp, topology):
    """A queue bound to notification.failed, and a function that waits for what reached it."""
    channel = await amqp.channel()
    exchange = await topology.declare_exchanges(channel)
    queue = await channel.declare_queue(
        topology.queue("notify", "sink"), durable=True, arguments={"x-queue-type": "quorum"}
    )
    await queue.bind(exchange, routing_key="notification.failed")
    received: list[dict] = []

    async def arrived(expected: int = 1) -> list[dict]:
        async def enough() -> bool:
            received.extend(json.loads(m.body) for m in await take_all(channel, queue.name))
            return len(received) >= expected

        await eventually(enough, timeout=20, what="notification.failed to be published")
        return received

    return arrived


async def test_an_sms_only_reporter_of_a_merged_hazard_without_an_sms_gateway_gets_notification_failed(
    running_notify, publish, admin_db, amqp, topology
):
    await add_recipient(admin_db, "w-0301", [("sms", "13800001111")], kind="watcher", name="老马")
    failed = await failures(amqp, topology)
    with structlog.testing.capture_logs() as logs:
        # production: no development stand-in for the missing gateway
        async with running_notify(ManualClock(NOON.astimezone(UTC)), environment="production") as notify:
            assert "sms" not in notify.context.channels
            envelope = await publish(merged("w-0301"))
            [event] = await failed()
    assert event["recipient_id"] == "w-0301" and event["unreachable"] is True
    assert event["cause_event_id"] == str(envelope.id) and event["cause_event_type"] == "hazard.merged"
    assert event["reason"].startswith("unreachable:") and "SMS_GATEWAY_URL" in event["reason"]
    assert event["channel"] == "none"
    assert await count(admin_db, "notify.deliveries") == 0
    warnings = [line for line in logs if line["event"].startswith("recipient unreachable")]
    assert [w["log_level"] for w in warnings] == ["warning"] and warnings[0]["recipient_id"] == "w-0301"


async def test_a_recipient_with_no_address_on_any_channel_of_the_rule_gets_notification_failed(
    running_notify, publish, admin_db, amqp, topology
):
    await add_recipient(admin_db, "w-0302", [], kind="watcher", name="王姐")
    failed = await failures(amqp, topology)
    async with running_notify(ManualClock(NOON.astimezone(UTC))):
        await publish(merged("w-0302"))
        [event] = await failed()
    assert event["recipient_id"] == "w-0302"
    assert event["reason"].startswith("unreachable: no address on any of the rule's channels")


async def test_a_recipient_who_never_reaches_the_directory_gets_notification_failed_once_given_up(
    running_notify, publish, admin_db, amqp, topology
):
    failed = await failures(amqp, topology)
    clock = ManualClock(NOON.astimezone(UTC))

    def resolved(reporter: str) -> IssueResolved:
        return IssueResolved(
            case_id=uuid.uuid4(),
            unit_id="pm-test-01",
            report_ids=[uuid.uuid4()],
            reporters=[PersonRef(kind="resident", id=reporter)],
            resolved_by="h-1",
            note="已修复",
            resolved_at=clock.now(),
        )

    async with running_notify(clock):
        first = await publish(resolved("r-never-0001"))
        await eventually(lambda: _waiting_for(admin_db, "r-never-0001"), what="the message to wait")
        clock.advance(timedelta(days=8))
        await publish(resolved("r-never-0002"))
        [event] = await failed()
    assert event["recipient_id"] == "r-never-0001" and event["cause_event_id"] == str(first.id)
    assert "not in notify's directory within 7 days" in event["reason"]


async def _waiting_for(admin_db, recipient_id: str) -> bool:
    return await count(admin_db, "notify.awaiting_recipients", "recipient_id = $1", recipient_id) == 1


async def test_rules_naming_unconfigured_channels_are_named_at_start_and_a_rule_with_none_fails_readiness(
    running_notify, admin_db
):
    await admin_db.execute(
        """INSERT INTO notify.rules (rule_id, event_type, selector, channels, urgency, template, reminders,
               reminder_field, reminder_key, cancels_reminders)
           VALUES ('test-sms-only', 'hazard.merged', 'person_from_field:reporter', '{sms}', 'normal',
               'hazard.merged', '{}', NULL, NULL, NULL)"""
    )
    try:
        # production: SMS without a gateway is not configured (development would record texts instead)
        async with running_notify(ManualClock(NOON.astimezone(UTC)), environment="production") as notify:
            with structlog.testing.capture_logs() as logs:
                missing = await warn_of_unconfigured_channels(notify.runtime.pool, notify.context.channels)
            assert missing["test-sms-only"] == ["sms"] and missing["hazard-merged-reporter"] == ["sms"]
            [warning] = [line for line in logs if line["log_level"] == "warning"]
            assert "test-sms-only" in warning["rules"]
            checks = await notify.runtime.readiness()
            assert checks["channels"] == "rules with no configured channel: test-sms-only"
            await admin_db.execute("UPDATE notify.rules SET enabled = false WHERE rule_id = 'test-sms-only'")
            assert (await channels_ready(notify.runtime))["channels"] == "ok"
    finally:
        await admin_db.execute("DELETE FROM notify.rules WHERE rule_id = 'test-sms-only'")


async def test_in_development_a_text_without_a_gateway_is_recorded_as_sent_so_a_newcomer_sees_it(
    running_notify, publish, admin_db
):
    await add_recipient(admin_db, "w-0309", [("sms", "13800001119")], kind="watcher", name="老马")
    with structlog.testing.capture_logs() as logs:
        async with running_notify(ManualClock(NOON.astimezone(UTC))) as notify:
            await publish(merged("w-0309"))

            async def planned() -> bool:
                return await count(admin_db, "notify.deliveries", "recipient_id = 'w-0309'") == 1

            await eventually(planned, what="the text to Old Ma to be planned")
            assert await notify.deliver() == 1
    delivery = await admin_db.fetchrow(
        "SELECT channel, status FROM notify.deliveries WHERE recipient_id = 'w-0309'"
    )
    assert (delivery["channel"], delivery["status"]) == ("sms", "sent")
    [recorded] = [line for line in logs if line["event"].startswith("text message recorded, not sent")]
    assert recorded["to"] == "138****1119" and "感谢" in recorded["text"]


async def test_in_development_the_text_stand_in_is_the_last_resort_after_a_channel_that_delivers(
    running_notify, publish, admin_db, webhook
):
    await add_recipient(
        admin_db, "w-0310", [("sms", "13800001110"), ("webhook", webhook.url)], kind="watcher", name="老马"
    )
    async with running_notify(ManualClock(NOON.astimezone(UTC))):
        await publish(merged("w-0310"))

        async def planned() -> bool:
            return await count(admin_db, "notify.deliveries", "recipient_id = 'w-0310'") == 1

        await eventually(planned, what="one delivery to Old Ma")
    channel = await admin_db.fetchval("SELECT channel FROM notify.deliveries WHERE recipient_id = 'w-0310'")
    assert channel == "webhook"
