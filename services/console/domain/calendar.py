"""Training sessions on a month's calendar (weeks from Monday, in the district's time)."""

from __future__ import annotations

import calendar as months
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from shared.clock import DISTRICT_TIMEZONE


@dataclass
class Day:
    day: date
    in_month: bool
    sessions: list[dict[str, Any]] = field(default_factory=list)


def local(value: str | datetime) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(DISTRICT_TIMEZONE)


def shown(value: str | datetime | None) -> str:
    """A moment as people in the district read it: `2026-12-02 09:30`, their time (empty for none)."""
    return local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def parse_month(text: str | None) -> date | None:
    """`2026-04` → the first of that month; None for anything else."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


def default_month(sessions: list[dict[str, Any]], today: date) -> date:
    """This month if it has a session, else the month of the next session to come, else this month."""
    this_month = today.replace(day=1)
    starts = sorted(local(s["starts_at"]).date() for s in sessions)
    if any(start.replace(day=1) == this_month for start in starts):
        return this_month
    upcoming = [start for start in starts if start >= today]
    return upcoming[0].replace(day=1) if upcoming else this_month


def shift(month: date, by: int) -> date:
    index = month.year * 12 + month.month - 1 + by
    return date(index // 12, index % 12 + 1, 1)


def month_weeks(sessions: list[dict[str, Any]], month: date) -> list[list[Day]]:
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for session in sessions:
        starts = local(session["starts_at"])
        by_day[starts.date()].append(session | {"local_start": starts.strftime("%H:%M")})
    weeks = months.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    return [[Day(day, day.month == month.month, by_day.get(day, [])) for day in week] for week in weeks]
