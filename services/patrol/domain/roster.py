"""The duty roster generator: fill each day's shift slots from a pool of watchers, fairly. No I/O.

Fair means: within one roster no watcher has two more shifts than another (max − min ≤ 1), and when the
shifts do not divide evenly the extra ones go to whoever has served least before (past shifts), then to whoever
served longest ago, so fairness carries across rosters over time. A watcher is never given two seats of one slot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from services.patrol.domain.watcher_errors import InvalidInput

MAX_DAYS = 31


@dataclass(frozen=True)
class Slot:
    """A daily shift, in local time, and how many watchers it needs."""

    start: time
    end: time
    watchers: int = 1


@dataclass(frozen=True)
class Assignment:
    day: date
    slot: int  # index into the slots
    watcher_id: str


def check_slots(slots: Sequence[Slot]) -> None:
    if not slots:
        raise InvalidInput("slots", "give at least one daily slot")
    for index, slot in enumerate(slots):
        if slot.end <= slot.start:
            raise InvalidInput(f"slots[{index}].end", "a slot ends after it starts, on the same day")
        if slot.watchers < 1:
            raise InvalidInput(f"slots[{index}].watchers", "a slot needs at least one watcher")
    ordered = sorted(range(len(slots)), key=lambda i: slots[i].start)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if slots[after].start < slots[before].end:
            raise InvalidInput(f"slots[{after}].start", f"overlaps slot {before}")


def check_days(days: Sequence[date]) -> None:
    if not days:
        raise InvalidInput("last_day", "the last day comes before the first")
    if len(days) > MAX_DAYS:
        raise InvalidInput("last_day", f"a roster covers at most {MAX_DAYS} days")


def build_roster(
    days: Sequence[date],
    slots: Sequence[Slot],
    watchers: Sequence[str],
    past_shifts: Mapping[str, int] | None = None,
) -> list[Assignment]:
    """Every seat of every slot of every day, each given to a watcher from `watchers` (ids, in a stable order)."""
    check_days(days)
    check_slots(slots)
    pool = list(dict.fromkeys(watchers))
    for index, slot in enumerate(slots):
        if slot.watchers > len(pool):
            raise InvalidInput(
                f"slots[{index}].watchers", f"needs {slot.watchers} watchers but only {len(pool)} are active"
            )
    past = past_shifts or {}
    given = dict.fromkeys(pool, 0)
    last_seat = dict.fromkeys(pool, -1)
    order = {watcher: position for position, watcher in enumerate(pool)}
    assignments: list[Assignment] = []
    for day in days:
        for index in sorted(range(len(slots)), key=lambda i: slots[i].start):
            ranked = sorted(pool, key=lambda w: (given[w], past.get(w, 0), last_seat[w], order[w]))
            for watcher in ranked[: slots[index].watchers]:
                given[watcher] += 1
                last_seat[watcher] = len(assignments)
                assignments.append(Assignment(day, index, watcher))
    return assignments


def shift_times(day: date, slot: Slot, timezone: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(day, slot.start, timezone), datetime.combine(day, slot.end, timezone)
