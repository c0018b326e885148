"""Holiday periods come from the maintained calendar: the State Council's schedule where published (days off,
moved days off and make-up working days), the statutory days' estimate where not; bad input names the field."""

from __future__ import annotations

from datetime import date

import pytest

from services.patrol.domain.holidays import OCCASIONS, days_of, holiday_period, holiday_schedule
from services.patrol.domain.watcher_errors import InvalidInput


@pytest.mark.parametrize(
    ("occasion", "year", "first", "last", "makeup"),
    [
        # 国办发明电〔2025〕7号: the 2026 schedule
        ("new-year", 2026, date(2026, 1, 1), date(2026, 1, 3), [date(2026, 1, 4)]),
        (
            "spring-festival",
            2026,
            date(2026, 2, 15),
            date(2026, 2, 23),
            [date(2026, 2, 14), date(2026, 2, 28)],
        ),
        ("qingming", 2026, date(2026, 4, 4), date(2026, 4, 6), []),
        ("may-day", 2026, date(2026, 5, 1), date(2026, 5, 5), [date(2026, 5, 9)]),
        ("dragon-boat", 2026, date(2026, 6, 19), date(2026, 6, 21), []),
        ("mid-autumn", 2026, date(2026, 9, 25), date(2026, 9, 27), [date(2026, 9, 20), date(2026, 10, 10)]),
        ("national-day", 2026, date(2026, 10, 1), date(2026, 10, 7), [date(2026, 9, 20), date(2026, 10, 10)]),
        # the 2025 schedule: the Spring Festival from 28 January, National Day and Mid-Autumn joined
        ("spring-festival", 2025, date(2025, 1, 28), date(2025, 2, 4), [date(2025, 1, 26), date(2025, 2, 8)]),
        ("national-day", 2025, date(2025, 10, 1), date(2025, 10, 8), [date(2025, 9, 28), date(2025, 10, 11)]),
    ],
)
def test_published_years_follow_the_state_councils_schedule(occasion, year, first, last, makeup):
    period = holiday_schedule(occasion, year)
    assert (period.first, period.last) == (first, last) == holiday_period(occasion, year)
    assert list(period.makeup_workdays) == makeup
    assert not period.estimated
    assert not set(period.makeup_workdays) & set(period.days), "a make-up working day is never a day off"


def test_every_statutory_holiday_of_a_year_not_yet_published_is_rosterable_and_marked_estimated():
    for occasion in OCCASIONS:
        period = holiday_schedule(occasion, 2027)
        assert period.estimated and period.first.year == 2027 and len(period.days) >= 1
    spring = holiday_schedule("spring-festival", 2027)
    assert spring.first == date(2027, 2, 5)  # the eve of the lunar new year (6 February 2027)
    assert date(2027, 2, 8) in spring.days


def test_days_of_counts_both_ends():
    assert days_of(date(2026, 10, 1), date(2026, 10, 7)) == [date(2026, 10, d) for d in range(1, 8)]


@pytest.mark.parametrize("year", [1999, 2100, 3000])
def test_a_year_outside_the_calendar_names_the_year(year):
    with pytest.raises(InvalidInput) as refused:
        holiday_period("national-day", year)
    assert refused.value.field == "year"


def test_an_unknown_holiday_names_the_occasion():
    with pytest.raises(InvalidInput) as refused:
        holiday_period("christmas", 2026)
    assert refused.value.field == "occasion"
