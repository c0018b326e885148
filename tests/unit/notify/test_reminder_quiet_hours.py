"""A reminder is never sent after what it reminds of: quiet hours move it before they begin, or drop it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from services.notify.domain.schedule import reminder_moment
from shared.clock import DISTRICT_TIMEZONE

QUIET = (time(22, 0), time(7, 0))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=DISTRICT_TIMEZONE)


def test_a_reminder_outside_quiet_hours_goes_when_it_is_due():
    assert reminder_moment(at(2, 20), at(3, 9), at(1, 12), QUIET) == (at(2, 20), None)


def test_quiet_hours_move_a_reminder_to_their_end_when_that_is_still_before_the_start():
    assert reminder_moment(at(2, 23), at(3, 9), at(1, 12), QUIET) == (at(3, 7), None)


def test_a_reminder_for_a_session_just_after_midnight_goes_before_quiet_hours_begin():
    """The case found: a 1-hour reminder for a 00:15 session was moved to 07:00, after the session."""
    moment, reason = reminder_moment(at(2, 23, 15), at(3, 0, 15), at(1, 12), QUIET)
    assert moment == at(2, 21, 59) and reason is None
    assert moment < at(3, 0, 15)


def test_a_reminder_that_cannot_be_sent_before_its_event_is_dropped_with_a_reason():
    moment, reason = reminder_moment(at(2, 23, 15), at(3, 0, 15), at(2, 22, 30), QUIET)
    assert moment is None and "quiet hours" in reason


def test_a_reminder_due_after_midnight_inside_quiet_hours_looks_back_to_the_evening_they_began():
    moment, _ = reminder_moment(at(3, 1), at(3, 6), at(1, 12), QUIET)
    assert moment == at(2, 21, 59)


def test_no_quiet_hours_and_a_moment_past_the_start():
    assert reminder_moment(at(2, 23), at(3, 9), at(1, 12), None) == (at(2, 23), None)
    assert reminder_moment(at(3, 9), at(3, 9), at(1, 12), QUIET)[0] is None
    assert reminder_moment(at(2, 9) + timedelta(hours=2), at(2, 10), at(1, 12), QUIET)[0] is None
