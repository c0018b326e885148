"""The duty roster generator fills every seat and stays fair, within a roster and across rosters."""

from __future__ import annotations

from collections import Counter
from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.patrol.domain.holidays import days_of, holiday_period
from services.patrol.domain.roster import Slot, build_roster, check_slots
from services.patrol.domain.watcher_errors import InvalidInput

MORNING = Slot(time(8), time(12), 2)
AFTERNOON = Slot(time(13), time(17), 1)
EVENING = Slot(time(18), time(22), 3)


def _counts(assignments, watchers):
    given = Counter(a.watcher_id for a in assignments)
    return [given[w] for w in watchers]


@st.composite
def roster_inputs(draw):
    slots = draw(
        st.lists(st.sampled_from([MORNING, AFTERNOON, EVENING]), min_size=1, max_size=3, unique=True)
    )
    watchers = [f"w-{n:04d}" for n in range(draw(st.integers(max(s.watchers for s in slots), 40)))]
    days = days_of(date(2026, 10, 1), date(2026, 10, draw(st.integers(1, 8))))
    past = draw(st.dictionaries(st.sampled_from(watchers), st.integers(0, 30), max_size=len(watchers)))
    return days, slots, watchers, past


@settings(max_examples=300, deadline=None)
@given(roster_inputs())
def test_no_watcher_gets_two_more_shifts_than_another_whatever_the_pool_and_the_past(inputs):
    days, slots, watchers, past = inputs
    assignments = build_roster(days, slots, watchers, past)
    counts = _counts(assignments, watchers)
    assert max(counts) - min(counts) <= 1
    assert len(assignments) == len(days) * sum(slot.watchers for slot in slots), "every seat is filled"
    seats = Counter((a.day, a.slot, a.watcher_id) for a in assignments)
    assert max(seats.values()) == 1, "nobody holds two seats of one slot"


def test_the_extra_shifts_go_to_whoever_served_least_before():
    watchers = ["w-0001", "w-0002", "w-0003", "w-0004"]
    past = {"w-0001": 5, "w-0002": 1, "w-0003": 9, "w-0004": 0}
    assignments = build_roster(days_of(date(2026, 4, 4), date(2026, 4, 6)), [AFTERNOON], watchers, past)
    given = Counter(a.watcher_id for a in assignments)
    assert given == {"w-0004": 1, "w-0002": 1, "w-0001": 1}, "three seats, the three with fewest past shifts"


def test_rosters_after_rosters_even_out_over_time():
    watchers = [f"w-{n:04d}" for n in range(7)]
    history: Counter[str] = Counter()
    for first in (date(2026, 4, 4), date(2026, 5, 1), date(2026, 10, 1)):
        days = days_of(first, first)
        for assignment in build_roster(days, [MORNING, AFTERNOON], watchers, history):
            history[assignment.watcher_id] += 1
    assert max(history.values()) - min(history.values()) <= 1
    assert sum(history.values()) == 9


def test_national_day_2026_with_one_slot_rotates_through_the_pool_in_order():
    first, last = holiday_period("national-day", 2026)
    assignments = build_roster(days_of(first, last), [AFTERNOON], ["w-a", "w-b", "w-c"])
    assert len(assignments) == 7  # 1 to 7 October, the State Council's 2026 schedule
    assert [a.watcher_id for a in assignments] == ["w-a", "w-b", "w-c"] * 2 + ["w-a"]


def test_a_slot_needing_more_watchers_than_the_pool_names_the_slot():
    with pytest.raises(InvalidInput) as refused:
        build_roster([date(2026, 5, 1)], [AFTERNOON, EVENING], ["w-a", "w-b"])
    assert refused.value.field == "slots[1].watchers"


@pytest.mark.parametrize(
    ("slots", "field"),
    [
        ([Slot(time(12), time(8))], "slots[0].end"),
        ([Slot(time(8), time(12)), Slot(time(11), time(14))], "slots[1].start"),
        ([], "slots"),
    ],
)
def test_slots_that_end_before_they_start_or_overlap_are_refused(slots, field):
    with pytest.raises(InvalidInput) as refused:
        check_slots(slots)
    assert refused.value.field == field
