"""Delivery on real channels: one message per recipient however often the event arrives, retries that survive a
restart, permanent failures that stop at once, quiet hours."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from services.notify.handlers.notify import handle_event
from shared.clock import DISTRICT_TIMEZONE, ManualClock
from shared.events import Event
from shared.events.catalogue.common import PersonRef
from shared.events.catalogue.issue import IssueResolved
from shared.unit_of_work import UnitOfWork
from tests.integration.notify.conftest import add_recipient
from tests.integration.notify.events import dispatch_assigned
from tests.support.db import count
from tests.support.queues import take_all
from tests.support.waiting import eventually

NOON = datetime(2026, 4, 6, 12, 0, tzinfo=DISTRICT_TIMEZONE)


async def _deliveries(admin_db, where: str = "TRUE", *args) -> int:
    return await count(admin_db, "notify.deliveries", where, *args)


async def _sink(amqp, topology, *event_types: str):
    channel = await amqp.channel()
    exchange = await topology.declare_exchanges(channel)
    queue = await channel.declare_queue(
        topology.queue("notify", "sink"), durable=True, arguments={"x-queue-type": "quorum"}
    )
    for event_type in event_types:
        await queue.bind(exchange, routing_key=event_type)
    return channel, queue.name


async def test_one_dispatch_assigned_delivered_twice_gives_one_message_per_recipient(
    running_notify, publish, admin_db, webhook
):
    await add_recipient(admin_db, "unit:pm-test-01", [("webhook", webhook.url)])
    async with running_notify(ManualClock(NOON.astimezone(UTC))) as notify:
        assigned = dispatch_assigned(NOON)
        envelope = await publish(assigned)
        await publish(assigned, envelope=envelope)
        await eventually(lambda: _deliveries(admin_db), what="the delivery to be planned")
        async with notify.runtime.pool.acquire() as conn, conn.transaction():  # past the inbox, straight in
            await handle_event(
                UnitOfWork(conn, "/services/notify", envelope, notify.context), Event(envelope, assigned)
            )
        assert await notify.deliver() == 1
        assert await notify.deliver() == 0

    assert await _deliveries(admin_db) == 1
    assert len(webhook.received) == 1
    message = webhook.received[0]
    assert message.signature_valid
    assert message.body["event_id"] == str(envelope.id)
    assert message.body["recipient_id"] == "unit:pm-test-01"
    assert str(assigned.case_id) in message.body["text"]
    assert "阳台堆放杂物" in message.body["text"], "the category's Chinese name, from the reference bundle"
    assert message.headers["X-Grassroots-Delivery"] == message.body["delivery_id"]


async def test_issue_resolved_tells_every_reporter_with_an_id_in_the_directory(
    running_notify, publish, admin_db, webhook
):
    for person in ("w-0101", "w-0102"):
        await add_recipient(
            admin_db, person, [("webhook", webhook.url)], kind="watcher", name=f"守望员{person}"
        )
    resolved = IssueResolved(
        case_id=uuid.uuid4(),
        unit_id="pm-test-01",
        report_ids=[uuid.uuid4(), uuid.uuid4()],
        reporters=[
            PersonRef(kind="watcher", id="w-0101"),
            PersonRef(kind="watcher", id="w-0102"),
            PersonRef(kind="anonymous"),
            PersonRef(kind="resident", id="r-not-in-directory"),
        ],
        resolved_by="h-1",
        note="纸箱已清理",
        resolved_at=NOON,
    )
    async with running_notify(ManualClock(NOON.astimezone(UTC))) as notify:
        await publish(resolved)
        await eventually(lambda: _two(admin_db), what="a delivery for each reporter in the directory")
        await notify.deliver()
    assert sorted(r.body["recipient_id"] for r in webhook.received) == ["w-0101", "w-0102"]
    assert all("纸箱已清理" in r.body["text"] for r in webhook.received)


async def test_a_webhook_failing_twice_then_succeeding_is_delivered_once_with_three_attempts_across_a_restart(
    running_notify, publish, admin_db, webhook, amqp, topology
):
    await add_recipient(admin_db, "unit:pm-test-01", [("webhook", webhook.url)])
    webhook.script = [503, 503]
    channel, sink = await _sink(amqp, topology, "notification.sent", "notification.failed")
    clock = ManualClock(NOON.astimezone(UTC))
    async with running_notify(clock) as notify:
        await publish(dispatch_assigned(NOON))
        await eventually(lambda: _deliveries(admin_db), what="the delivery to be planned")
        assert await notify.deliver() == 1
    row = await admin_db.fetchrow("SELECT status, attempts, next_attempt_at FROM notify.deliveries")
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert row["next_attempt_at"] > clock.now(), "the retry waits for its back-off, in the database"

    async with running_notify(clock) as restarted:  # a new process: nothing kept in memory
        assert await restarted.deliver() == 0, "not before its time"
        for _ in range(2):
            clock.set(await admin_db.fetchval("SELECT next_attempt_at FROM notify.deliveries"))
            assert await restarted.deliver() == 1
        clock.advance(timedelta(days=1))
        assert await restarted.deliver() == 0
        await eventually(lambda: _outbox_sent(admin_db), what="notification.sent to be published")

    assert [r.signature_valid for r in webhook.received] == [True, True, True]
    assert len({r.headers["X-Grassroots-Delivery"] for r in webhook.received}) == 1
    attempts = await admin_db.fetch("SELECT attempt, outcome FROM notify.delivery_attempts ORDER BY attempt")
    assert [(a["attempt"], a["outcome"]) for a in attempts] == [
        (1, "transient"),
        (2, "transient"),
        (3, "success"),
    ]
    assert await admin_db.fetchval("SELECT status FROM notify.deliveries") == "sent"
    published = await take_all(channel, sink)
    assert [m.type for m in published] == ["notification.sent"]
    assert json.loads(published[0].body)["attempts"] == 3


async def _outbox_sent(admin_db) -> bool:
    return await count(admin_db, "notify.outbox", "published_at IS NOT NULL") >= 1


async def test_a_400_answer_stops_retries_and_publishes_notification_failed(
    running_notify, publish, admin_db, webhook, amqp, topology
):
    await add_recipient(admin_db, "unit:pm-test-01", [("webhook", webhook.url)])
    webhook.script = [400]
    channel, sink = await _sink(amqp, topology, "notification.sent", "notification.failed")
    clock = ManualClock(NOON.astimezone(UTC))
    async with running_notify(clock) as notify:
        await publish(dispatch_assigned(NOON))
        await eventually(lambda: _deliveries(admin_db), what="the delivery to be planned")
        assert await notify.deliver() == 1
        clock.advance(timedelta(days=2))
        assert await notify.deliver() == 0, "no retry after a permanent failure"
        await eventually(lambda: _outbox_sent(admin_db), what="notification.failed to be published")

    assert len(webhook.received) == 1
    row = await admin_db.fetchrow("SELECT status, attempts FROM notify.deliveries")
    assert (row["status"], row["attempts"]) == ("failed", 1)
    published = await take_all(channel, sink)
    assert [m.type for m in published] == ["notification.failed"]
    failed = json.loads(published[0].body)
    assert failed["reason"].startswith("permanent: HTTP 400")
    assert failed["cause_event_type"] == "dispatch.assigned"


async def test_quiet_hours_delay_a_normal_message_and_not_an_urgent_one(
    running_notify, publish, admin_db, webhook
):
    await add_recipient(admin_db, "unit:pm-test-01", [("webhook", webhook.url)], quiet=("22:00", "07:00"))
    late = datetime(2026, 4, 6, 23, 30, tzinfo=DISTRICT_TIMEZONE)
    clock = ManualClock(late.astimezone(UTC))
    async with running_notify(clock) as notify:
        await publish(dispatch_assigned(late, severity="normal"))
        await publish(dispatch_assigned(late, severity="urgent"))
        await eventually(lambda: _two(admin_db), what="both deliveries to be planned")
        await notify.deliver()
        assert [r.body["urgent"] for r in webhook.received] == [True]
        held = await admin_db.fetchrow(
            "SELECT status, attempts, next_attempt_at FROM notify.deliveries WHERE NOT urgent"
        )
        assert (held["status"], held["attempts"]) == ("pending", 0)
        assert held["next_attempt_at"] == datetime(2026, 4, 7, 7, 0, tzinfo=DISTRICT_TIMEZONE)
        clock.set(datetime(2026, 4, 7, 6, 59, tzinfo=DISTRICT_TIMEZONE))
        assert await notify.deliver() == 0
        clock.set(datetime(2026, 4, 7, 7, 0, tzinfo=DISTRICT_TIMEZONE))
        assert await notify.deliver() == 1
    assert [r.body["urgent"] for r in webhook.received] == [True, False]


async def _two(admin_db) -> bool:
    return await _deliveries(admin_db) == 2


async def test_the_service_delivers_on_its_own_with_its_background_worker(
    running_notify, publish, admin_db, webhook
):
    await add_recipient(admin_db, "unit:pm-test-01", [("webhook", webhook.url)])
    async with running_notify(
        ManualClock(NOON.astimezone(UTC)), delivery_worker_enabled=True, worker_poll_seconds=0.1
    ):
        await publish(dispatch_assigned(NOON))
        await eventually(lambda: _sent(admin_db), what="the background worker to send the message")
    assert len(webhook.received) == 1


async def _sent(admin_db) -> bool:
    return await _deliveries(admin_db, "status = 'sent'") == 1


async def test_a_worker_that_dies_mid_send_leaves_a_lease_that_expires_and_the_delivery_is_retried(
    running_notify, publish, admin_db, webhook
):
    await add_recipient(admin_db, "unit:pm-test-01", [("webhook", webhook.url)])
    clock = ManualClock(NOON.astimezone(UTC))
    async with running_notify(clock, lease_seconds=60) as notify:
        await publish(dispatch_assigned(NOON))
        await eventually(lambda: _deliveries(admin_db), what="the delivery to be planned")
        assert len(await notify.worker._claim()) == 1  # claimed and committed, then the process "dies"
        assert await notify.deliver() == 0, "in flight: another worker leaves it alone"
        clock.advance(timedelta(seconds=61))
        assert await notify.deliver() == 1
    attempts = await admin_db.fetch("SELECT attempt, outcome FROM notify.delivery_attempts ORDER BY attempt")
    assert [(a["attempt"], a["outcome"]) for a in attempts] == [(1, "lease_expired"), (2, "success")]
    assert len(webhook.received) == 1


async def test_the_per_channel_rate_limit_holds_what_is_over_it_until_the_next_window(
    running_notify, publish, admin_db, webhook
):
    await add_recipient(admin_db, "unit:pm-test-01", [("webhook", webhook.url)])
    clock = ManualClock(NOON.astimezone(UTC))
    async with running_notify(clock, rate_limits={"webhook": 2}, rate_window_seconds=60) as notify:
        for _ in range(3):
            await publish(dispatch_assigned(NOON))
        await eventually(lambda: _three(admin_db), what="three deliveries")
        assert await notify.deliver() == 2
        assert await notify.deliver() == 0
        held = await admin_db.fetchrow(
            "SELECT attempts, next_attempt_at FROM notify.deliveries WHERE status = 'pending'"
        )
        assert held["attempts"] == 0 and held["next_attempt_at"] == NOON.astimezone(UTC) + timedelta(
            seconds=60
        )
        clock.advance(timedelta(seconds=60))
        assert await notify.deliver() == 1
    assert len(webhook.received) == 3


async def test_a_pass_takes_only_what_is_left_of_the_window_s_allowance(
    running_notify, publish, admin_db, webhook
):
    await add_recipient(admin_db, "unit:pm-test-01", [("webhook", webhook.url)])
    clock = ManualClock(NOON.astimezone(UTC))
    async with running_notify(clock, rate_limits={"webhook": 3}, rate_window_seconds=60) as notify:
        for _ in range(2):
            await publish(dispatch_assigned(NOON))
        await eventually(lambda: _count_is(admin_db, 2), what="two deliveries")
        assert await notify.deliver() == 2
        for _ in range(2):
            await publish(dispatch_assigned(NOON))
        await eventually(lambda: _count_is(admin_db, 4), what="two more deliveries")
        assert await notify.deliver() == 1, "one left of the window's three"
        assert await notify.deliver() == 0
        clock.advance(timedelta(seconds=60))
        assert await notify.deliver() == 1
    assert len(webhook.received) == 4


async def _count_is(admin_db, expected: int) -> bool:
    return await _deliveries(admin_db) == expected


async def _three(admin_db) -> bool:
    return await _deliveries(admin_db) == 3
