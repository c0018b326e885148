"""When to send: reminders before a start time, quiet hours, back-off after a transient failure."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta

from shared.clock import DISTRICT_TIMEZONE

# A reminder spec: `-1d`, `-1h`, `-30m` (that long before the start), or `-1d@20:00` (the district's calendar day
# before the start, at 20:00 district time).
_REMINDER = re.compile(r"^-(?P<amount>\d+)(?P<unit>[dhm])(?:@(?P<hour>\d{2}):(?P<minute>\d{2}))?$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class InvalidReminder(ValueError):
    pass


def parse_reminder(spec: str) -> tuple[timedelta, time | None]:
    match = _REMINDER.match(spec)
    if match is None:
        raise InvalidReminder(f"reminder {spec!r} is not like -1d, -1h, -30m or -1d@20:00")
    delta = timedelta(**{_UNITS[match["unit"]]: int(match["amount"])})
    at = None
    if match["hour"] is not None:
        if match["unit"] != "d":
            raise InvalidReminder(f"reminder {spec!r}: a time of day goes with whole days only")
        at = time(int(match["hour"]), int(match["minute"]))
    return delta, at


def reminder_time(spec: str, starts_at: datetime) -> datetime:
    delta, at = parse_reminder(spec)
    if at is None:
        return starts_at - delta
    local_day = (starts_at.astimezone(DISTRICT_TIMEZONE) - delta).date()
    return datetime.combine(local_day, at, tzinfo=DISTRICT_TIMEZONE)


def parse_quiet_hours(value: str | None) -> tuple[time, time] | None:
    if not value:
        return None
    start, end = value.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def quiet_until(now: datetime, start: time | None, end: time | None) -> datetime | None:
    """The end of the quiet period `now` falls in (district time), or None when it is not quiet."""
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(DISTRICT_TIMEZONE)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        quiet = start <= clock < end
        end_day = local.date()
    else:  # across midnight, e.g. 22:00-07:00
        quiet = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not quiet:
        return None
    return datetime.combine(end_day, end, tzinfo=DISTRICT_TIMEZONE)


def quiet_began(moment: datetime, start: time, end: time) -> datetime:
    """When the quiet period that `moment` falls in began (district time); `moment` must be quiet."""
    local = moment.astimezone(DISTRICT_TIMEZONE)
    day = local.date()
    if start > end and local.time().replace(tzinfo=None) < end:  # across midnight, after it
        day -= timedelta(days=1)
    return datetime.combine(day, start, tzinfo=DISTRICT_TIMEZONE)


def reminder_moment(
    due: datetime, starts_at: datetime, now: datetime, quiet: tuple[time, time] | None
) -> tuple[datetime | None, str | None]:
    """When a reminder due at `due`, of something that starts at `starts_at`, is to be sent, and why not if never.

    Quiet hours move it to their end, unless that is not before the start: then it goes just before they begin,
    if that is still ahead, and is dropped otherwise. A reminder is never sent after what it reminds of.
    """
    if due >= starts_at:
        return None, "its moment is not before the start"
    if quiet is None or quiet_until(due, *quiet) is None:
        return due, None
    after = quiet_until(due, *quiet)
    assert after is not None
    if after < starts_at:
        return after, None
    before = quiet_began(due, *quiet) - timedelta(minutes=1)
    if before > now:
        return before, None
    return None, "quiet hours last until after the start, and began before it could be sent"


def backoff(attempt: int, base: float, ceiling: float, jitter: Callable[[], float]) -> timedelta:
    """Exponential back-off with "equal jitter": half the step fixed, half random, so retries spread out."""
    step = min(ceiling, base * 2 ** max(0, attempt - 1))
    return timedelta(seconds=step / 2 + jitter() * step / 2)
