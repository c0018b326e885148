"""Reminder times, quiet hours, back-off, recipient selectors and webhook signatures."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from services.notify.adapters.channels.port import classify_status
from services.notify.adapters.channels.webhook import sign
from services.notify.domain.rules import InvalidSelector, Rule, is_urgent, select_recipients
from services.notify.domain.schedule import (
    InvalidReminder,
    backoff,
    parse_reminder,
    quiet_until,
    reminder_time,
)
from shared.clock import DISTRICT_TIMEZONE


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=DISTRICT_TIMEZONE)


def test_the_evening_before_reminder_is_20_00_district_time_on_the_previous_day():
    assert reminder_time("-1d@20:00", local(2026, 10, 1, 8, 0)) == local(2026, 9, 30, 20, 0)
    # an early shift expressed in UTC still counts back from the district's calendar day
    assert reminder_time("-1d@20:00", local(2026, 10, 1, 0, 30)) == local(2026, 9, 30, 20, 0)


def test_a_day_and_an_hour_before_count_back_from_the_start():
    starts = local(2026, 10, 9, 14, 30)
    assert reminder_time("-1d", starts) == starts - timedelta(days=1)
    assert reminder_time("-1h", starts) == starts - timedelta(hours=1)
    assert reminder_time("-30m", starts) == starts - timedelta(minutes=30)


@pytest.mark.parametrize("spec", ["1d", "-1w", "-1h@20:00", "-d", ""])
def test_a_malformed_reminder_spec_is_refused(spec):
    with pytest.raises(InvalidReminder):
        parse_reminder(spec)


def test_quiet_hours_across_midnight_end_at_their_end_time_the_next_morning():
    quiet = (time(22, 0), time(7, 0))
    assert quiet_until(local(2026, 4, 6, 23, 30), *quiet) == local(2026, 4, 7, 7, 0)
    assert quiet_until(local(2026, 4, 7, 6, 59), *quiet) == local(2026, 4, 7, 7, 0)
    assert quiet_until(local(2026, 4, 7, 7, 0), *quiet) is None
    assert quiet_until(local(2026, 4, 6, 21, 59), *quiet) is None


def test_quiet_hours_within_a_day_and_no_quiet_hours():
    assert quiet_until(local(2026, 4, 6, 12, 30), time(12, 0), time(14, 0)) == local(2026, 4, 6, 14, 0)
    assert quiet_until(local(2026, 4, 6, 12, 30), None, None) is None


def test_backoff_doubles_up_to_its_ceiling_with_half_of_it_random():
    low = [backoff(n, 30, 3600, lambda: 0.0).total_seconds() for n in range(1, 10)]
    high = [backoff(n, 30, 3600, lambda: 1.0).total_seconds() for n in range(1, 10)]
    assert low[:4] == [15, 30, 60, 120]
    assert high[:4] == [30, 60, 120, 240]
    assert max(high) == 3600 and max(low) == 1800


def test_selectors_pick_units_people_and_lists_skipping_those_without_an_id():
    data = {
        "unit_id": "pm-1",
        "watcher_id": "w-1",
        "reporter": {"kind": "watcher", "id": "w-2"},
        "reporters": [{"kind": "watcher", "id": "w-1"}, {"kind": "anonymous", "id": None}, {"id": "w-1"}],
        "enrolled_person_ids": ["p-1", "p-2"],
    }
    assert select_recipients("unit_from_field:unit_id", data) == ["unit:pm-1"]
    assert select_recipients("unit:district-office", data) == ["unit:district-office"]
    assert select_recipients("person_from_field:watcher_id", data) == ["w-1"]
    assert select_recipients("person_from_field:reporter", data) == ["w-2"]
    assert select_recipients("people_from_list:reporters", data) == ["w-1"]
    assert select_recipients("people_from_list:enrolled_person_ids", data) == ["p-1", "p-2"]
    assert select_recipients("person_from_field:missing", data) == []
    with pytest.raises(InvalidSelector):
        select_recipients("everyone:all", data)


def test_urgency_by_severity_and_channel_choice():
    assert is_urgent("by_severity", {"severity": "urgent"}) and not is_urgent(
        "by_severity", {"severity": "high"}
    )
    assert is_urgent("urgent", {}) and not is_urgent("normal", {"severity": "urgent"})
    rule = Rule(rule_id="r", event_type="e", selector="unit:x", channels=["wecom", "sms", "log"])
    assert rule.channels_for(["log", "sms"]) == ["sms"]
    assert Rule(**{**rule.__dict__, "all_channels": True}).channels_for(["log", "sms"]) == ["sms", "log"]
    assert rule.channels_for(["email"]) == []


def test_the_webhook_signature_is_the_hex_hmac_of_timestamp_dot_body():
    assert sign("secret", "1712390400", b'{"a":1}') == (
        "sha256=" + __import__("hmac").new(b"secret", b'1712390400.{"a":1}', "sha256").hexdigest()
    )


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, "success"),
        (204, "success"),
        (429, "transient"),
        (500, "transient"),
        (503, "transient"),
        (400, "permanent"),
        (404, "permanent"),
        (410, "permanent"),
    ],
)
def test_http_answers_are_classified(status, outcome):
    assert classify_status(status) == outcome
