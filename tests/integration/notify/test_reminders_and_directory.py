"""Reminders fire once at their time and never after a cancellation; the directory is kept from events;
e-mail reaches a real SMTP server with the rendered Chinese text."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import structlog

from services.notify.handlers.directory import load_units
from shared.clock import DISTRICT_TIMEZONE, ManualClock
from shared.contacts import ContactPoint, Contacts, seal
from shared.events.catalogue.patrol import PatrolShiftCancelled, PatrolShiftScheduled
from shared.events.catalogue.training import (
    PersonRegistered,
    ReserveCandidateAppointed,
    TrainingEnrolmentConfirmed,
    TrainingEnrolmentWithdrawn,
)
from shared.events.catalogue.watcher import WatcherRegistered
from shared.events.envelope import new_envelope
from shared.settings import DEVELOPMENT_SEAL_KEY
from tests.integration.notify.events import dispatch_assigned
from tests.support.db import count
from tests.support.waiting import eventually

MORNING = datetime(2026, 9, 30, 10, 0, tzinfo=DISTRICT_TIMEZONE)
SHIFT_START = datetime(2026, 10, 1, 8, 0, tzinfo=DISTRICT_TIMEZONE)


def _sealed(*points: tuple[str, str]) -> str:
    return seal(
        Contacts(points=[ContactPoint(channel=c, address=a) for c, a in points]), DEVELOPMENT_SEAL_KEY
    )


def _watcher(watcher_id: str, url: str) -> WatcherRegistered:
    return WatcherRegistered(
        watcher_id=watcher_id,
        display_name="老马",
        community_code="WG-TJ",
        street_code="WG",
        sealed_contacts=_sealed(("webhook", url), ("sms", "13800001111")),
        registered_at=MORNING - timedelta(days=30),
    )


def _shift(shift_id: str, watcher_id: str) -> PatrolShiftScheduled:
    return PatrolShiftScheduled(
        shift_id=shift_id,
        watcher_id=watcher_id,
        community_code="WG-TJ",
        starts_at=SHIFT_START,
        ends_at=SHIFT_START + timedelta(hours=4),
        occasion="national-day",
        scheduled_at=MORNING,
    )


async def _rows(admin_db, where: str, *args) -> int:
    return await count(admin_db, "notify.deliveries", where, *args)


async def _rows_are(admin_db, expected: int, where: str = "TRUE") -> bool:
    return await _rows(admin_db, where) == expected


async def test_a_shift_reminder_is_sent_once_at_20_00_the_evening_before_under_a_moved_clock(
    running_notify, publish, admin_db, webhook
):
    clock = ManualClock(MORNING.astimezone(UTC))
    async with running_notify(clock) as notify:
        await publish(_watcher("w-0201", webhook.url))
        await eventually(lambda: _recipient(admin_db, "w-0201"), what="the watcher in the directory")
        await publish(_shift("s-1", "w-0201"))
        await eventually(lambda: _rows_are(admin_db, 2, "TRUE"), what="the notice and its reminder")
        assert await notify.deliver() == 1, "the notice goes now, the reminder waits"
        clock.set(datetime(2026, 9, 30, 19, 59, tzinfo=DISTRICT_TIMEZONE))
        assert await notify.deliver() == 0
        clock.set(datetime(2026, 9, 30, 20, 0, tzinfo=DISTRICT_TIMEZONE))
        assert await notify.deliver() == 1
        clock.advance(timedelta(days=2))
        assert await notify.deliver() == 0
    purposes = [r.body["purpose"] for r in webhook.received]
    assert purposes == ["notice", "reminder:-1d@20:00"]
    assert "明天" in webhook.received[1].body["text"] and "08:00" in webhook.received[1].body["text"]


async def test_a_cancelled_shift_sends_no_reminder_and_tells_the_watcher(
    running_notify, publish, admin_db, webhook
):
    clock = ManualClock(MORNING.astimezone(UTC))
    async with running_notify(clock) as notify:
        await publish(_watcher("w-0202", webhook.url))
        await eventually(lambda: _recipient(admin_db, "w-0202"), what="the watcher in the directory")
        await publish(_shift("s-2", "w-0202"))
        await eventually(lambda: _rows_are(admin_db, 2, "TRUE"), what="the notice and its reminder")
        await publish(
            PatrolShiftCancelled(shift_id="s-2", watcher_id="w-0202", reason="天气原因", cancelled_at=MORNING)
        )
        await eventually(
            lambda: _rows_are(admin_db, 1, "status = 'cancelled'"), what="the reminder cancelled"
        )
        clock.advance(timedelta(days=3))
        while await notify.deliver():
            pass
    purposes = sorted((r.body["event_type"], r.body["purpose"]) for r in webhook.received)
    assert purposes == [("patrol.shift.cancelled", "notice"), ("patrol.shift.scheduled", "notice")]


async def test_a_cancellation_consumed_before_the_schedule_prevents_its_notice_and_reminders(
    running_notify, publish, admin_db, webhook
):
    clock = ManualClock(MORNING.astimezone(UTC))
    scheduled = _shift("s-3", "w-0203")
    scheduled_envelope = new_envelope(scheduled, source="/services/patrol")  # it happened first...
    async with running_notify(clock):
        await publish(_watcher("w-0203", webhook.url))
        await eventually(lambda: _recipient(admin_db, "w-0203"), what="the watcher in the directory")
        await publish(
            PatrolShiftCancelled(shift_id="s-3", watcher_id="w-0203", reason="重复排班", cancelled_at=MORNING)
        )
        await eventually(lambda: _rows_are(admin_db, 1, "TRUE"), what="the cancellation notice")
        await publish(scheduled, envelope=scheduled_envelope)  # ...and is consumed last (separate queues)
        await eventually(lambda: _handled(admin_db, scheduled_envelope.id), what="the schedule to be handled")
    assert await _rows(admin_db, "purpose LIKE 'reminder:%'") == 0
    assert await _rows(admin_db, "cause_event_type = 'patrol.shift.scheduled'") == 0, (
        "no notice of a dead shift"
    )


async def test_training_reminders_a_day_and_an_hour_before_are_cancelled_when_the_person_withdraws(
    running_notify, publish, admin_db, webhook
):
    starts = datetime(2026, 10, 9, 14, 30, tzinfo=DISTRICT_TIMEZONE)
    clock = ManualClock(MORNING.astimezone(UTC))
    async with running_notify(clock):
        await publish(
            PersonRegistered(
                person_id="p-0301",
                display_name="王书记",
                roles=["secretary"],
                sealed_contacts=_sealed(("webhook", webhook.url)),
                registered_at=MORNING,
            )
        )
        await eventually(lambda: _recipient(admin_db, "p-0301"), what="the person in the directory")
        confirmed = TrainingEnrolmentConfirmed(
            session_id="ts-1",
            person_id="p-0301",
            title="书记沙龙",
            place="区委党校",
            starts_at=starts,
            confirmed_at=MORNING,
        )
        await publish(confirmed)
        await eventually(lambda: _rows_are(admin_db, 3, "TRUE"), what="the notice and two reminders")
        due = await admin_db.fetch(
            "SELECT purpose, due_at FROM notify.deliveries WHERE purpose LIKE 'reminder:%' ORDER BY due_at"
        )
        assert [(r["purpose"], r["due_at"]) for r in due] == [
            ("reminder:-1d", starts - timedelta(days=1)),
            ("reminder:-1h", starts - timedelta(hours=1)),
        ]
        await publish(TrainingEnrolmentWithdrawn(session_id="ts-1", person_id="p-0301", withdrawn_at=MORNING))
        await eventually(
            lambda: _rows_are(admin_db, 2, "status = 'cancelled'"), what="both reminders cancelled"
        )


async def test_the_directory_keeps_unsealed_contacts_and_never_logs_them(
    running_notify, publish, admin_db, webhook
):
    clock = ManualClock(MORNING.astimezone(UTC))
    with structlog.testing.capture_logs() as logs:
        async with running_notify(clock):
            await publish(_watcher("w-0204", webhook.url))
            await eventually(lambda: _recipient(admin_db, "w-0204"), what="the watcher in the directory")
    contacts = await admin_db.fetch(
        "SELECT channel, address FROM notify.contact_points WHERE recipient_id = 'w-0204' ORDER BY channel"
    )
    assert [(c["channel"], c["address"]) for c in contacts] == [
        ("sms", "13800001111"),
        ("webhook", webhook.url),
    ]
    assert logs, "the handler logged something to look at"
    assert not any("13800001111" in str(entry) for entry in logs)


async def test_units_load_from_the_reference_bundle_at_start_once_per_version(running_notify, admin_db):
    async with running_notify(ManualClock(MORNING.astimezone(UTC)), load_units_at_start=True) as notify:
        await eventually(lambda: _loaded(admin_db), what="the units to be loaded at start")
        async with notify.runtime.pool.acquire() as conn:
            assert await load_units(conn, notify.context.bundle) is False, "this version is loaded already"
    units = len(notify.context.bundle.units)
    assert await count(admin_db, "notify.recipients", "kind = 'unit'") == units
    office = await admin_db.fetchrow(
        "SELECT channel, address FROM notify.contact_points WHERE recipient_id = 'unit:district-office'"
    )
    assert (office["channel"], office["address"]) == ("log", "unit:district-office")


async def test_an_email_arrives_at_the_smtp_server_with_the_rendered_chinese_text(
    running_notify, publish, admin_db, smtp
):
    clock = ManualClock(MORNING.astimezone(UTC))
    async with running_notify(clock) as notify:
        await publish(
            PersonRegistered(
                person_id="p-0302",
                display_name="李娜",
                roles=["reserve_candidate"],
                sealed_contacts=_sealed(("email", "lina@dadong.example")),
                registered_at=MORNING,
            )
        )
        await eventually(lambda: _recipient(admin_db, "p-0302"), what="the person in the directory")
        await publish(
            ReserveCandidateAppointed(
                candidate_id="p-0302", organisation_code="WG-TJ", post="社区党委书记", appointed_at=MORNING
            )
        )
        await eventually(lambda: _rows_are(admin_db, 1, "TRUE"), what="the delivery")
        assert await notify.deliver() == 1
    assert await admin_db.fetchval("SELECT status FROM notify.deliveries") == "sent"
    [(sender, recipients, content)] = smtp.messages
    assert recipients == ["lina@dadong.example"]
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert message["Subject"] == "【任职通知】祝贺您任社区党委书记"
    body = message.get_content()
    assert "李娜：经组织研究，您已被任命为 WG-TJ 社区党委书记" in body
    stored = await admin_db.fetchval("SELECT body FROM notify.deliveries")
    assert body.strip() == stored.strip()


async def _recipient(admin_db, recipient_id: str) -> bool:
    return await count(admin_db, "notify.recipients", "recipient_id = $1", recipient_id) == 1


async def _loaded(admin_db) -> bool:
    return await count(admin_db, "notify.reference_loads") == 1


async def test_a_shift_consumed_before_its_watchers_registration_is_sent_once_the_watcher_arrives(
    running_notify, publish, admin_db, webhook
):
    clock = ManualClock(MORNING.astimezone(UTC))
    async with running_notify(clock) as notify:
        await publish(_shift("s-4", "w-0205"))
        await eventually(lambda: _awaiting(admin_db, 1), what="the shift to wait for its watcher")
        assert await _rows(admin_db, "TRUE") == 0
        await publish(_watcher("w-0205", webhook.url))
        await eventually(lambda: _rows_are(admin_db, 2), what="the notice and reminder, planned on arrival")
        assert await notify.deliver() == 1
    assert await _awaiting(admin_db, 0)
    assert [(r.body["recipient_id"], r.body["purpose"]) for r in webhook.received] == [("w-0205", "notice")]


async def _awaiting(admin_db, expected: int) -> bool:
    return await count(admin_db, "notify.awaiting_recipients") == expected


async def _handled(admin_db, event_id) -> bool:
    return await count(admin_db, "notify.inbox", "event_id = $1", event_id) == 1


async def test_a_case_consumed_before_the_units_were_loaded_is_planned_once_they_are(
    running_notify, publish, admin_db
):
    clock = ManualClock(MORNING.astimezone(UTC))
    async with running_notify(clock):  # units not loaded: as on a first start, consumers racing the loader
        await publish(dispatch_assigned(MORNING, unit_id="district-office"))
        await eventually(lambda: _awaiting(admin_db, 1), what="the case to wait for its unit")
    async with running_notify(clock, load_units_at_start=True) as notify:
        await eventually(lambda: _rows_are(admin_db, 1), what="the case planned once the units are loaded")
        assert await notify.deliver() == 1
    [logged] = notify.context.channels["log"].sent
    assert logged.recipient_id == "unit:district-office"
    assert "大东区基层治理指挥中心" in logged.text
    assert await _awaiting(admin_db, 0)


async def test_a_reminder_of_a_session_just_after_midnight_is_never_sent_after_it_starts(
    running_notify, publish, admin_db, webhook
):
    """Quiet hours 22:00-07:00: an hour before 00:15 is 23:15, inside them; 07:00 would be after the session."""
    starts = datetime(2026, 10, 10, 0, 15, tzinfo=DISTRICT_TIMEZONE)
    clock = ManualClock(MORNING.astimezone(UTC))
    async with running_notify(clock) as notify:
        await publish(
            PersonRegistered(
                person_id="p-0302",
                display_name="李书记",
                roles=["secretary"],
                sealed_contacts=_sealed(("webhook", webhook.url)),
                registered_at=MORNING,
            )
        )
        await eventually(lambda: _recipient(admin_db, "p-0302"), what="the person in the directory")
        await publish(
            TrainingEnrolmentConfirmed(
                session_id="ts-midnight",
                person_id="p-0302",
                title="书记大讲堂",
                place="区委党校",
                starts_at=starts,
                confirmed_at=MORNING,
            )
        )
        await eventually(lambda: _rows_are(admin_db, 3, "TRUE"), what="the notice and two reminders")
        hour_before = await admin_db.fetchrow(
            "SELECT due_at, not_after, status FROM notify.deliveries WHERE purpose = 'reminder:-1h'"
        )
        assert hour_before["due_at"] == datetime(2026, 10, 9, 21, 59, tzinfo=DISTRICT_TIMEZONE)
        assert hour_before["not_after"] == starts and hour_before["status"] == "pending"

        clock.set(
            datetime(2026, 10, 9, 22, 30, tzinfo=DISTRICT_TIMEZONE).astimezone(UTC)
        )  # the worker was late
        await notify.deliver()
        late = await admin_db.fetchrow(
            "SELECT status, last_error FROM notify.deliveries WHERE purpose = 'reminder:-1h'"
        )
        assert late["status"] == "cancelled" and "after the start" in late["last_error"]
        assert webhook.received == [], "nothing is sent inside quiet hours"


async def test_a_reminder_planned_inside_quiet_hours_that_would_arrive_late_is_recorded_as_dropped(
    running_notify, publish, admin_db, webhook
):
    starts = datetime(2026, 10, 10, 0, 15, tzinfo=DISTRICT_TIMEZONE)
    clock = ManualClock(datetime(2026, 10, 9, 22, 40, tzinfo=DISTRICT_TIMEZONE).astimezone(UTC))
    async with running_notify(clock):
        await publish(
            PersonRegistered(
                person_id="p-0303",
                display_name="赵书记",
                roles=["secretary"],
                sealed_contacts=_sealed(("webhook", webhook.url)),
                registered_at=MORNING,
            )
        )
        await eventually(lambda: _recipient(admin_db, "p-0303"), what="the person in the directory")
        await publish(
            TrainingEnrolmentConfirmed(
                session_id="ts-late",
                person_id="p-0303",
                title="书记沙龙",
                place="区委党校",
                starts_at=starts,
                confirmed_at=clock.now(),
            )
        )
        await eventually(lambda: _rows_are(admin_db, 2, "TRUE"), what="the notice and the dropped reminder")
        dropped = await admin_db.fetchrow(
            "SELECT status, last_error FROM notify.deliveries WHERE purpose = 'reminder:-1h'"
        )
        assert dropped["status"] == "cancelled" and "quiet hours" in dropped["last_error"]
