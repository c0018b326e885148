"""The holiday table holds China's official dates; unknown holidays and years name the field at fault."""

from __future__ import annotations

from datetime import date

import pytest

from services.patrol.domain.holidays import days_of, holiday_period
from services.patrol.domain.watcher_errors import InvalidInput


@pytest.mark.parametrize(
    ("occasion", "year", "first", "last", "days"),
    [
        ("qingming", 2026, date(2026, 4, 4), date(2026, 4, 6), 3),
        ("may-day", 2026, date(2026, 5, 1), date(2026, 5, 5), 5),
        ("national-day", 2026, date(2026, 10, 1), date(2026, 10, 8), 8),
        ("qingming", 2027, date(2027, 4, 3), date(2027, 4, 5), 3),
        ("may-day", 2027, date(2027, 5, 1), date(2027, 5, 5), 5),
        ("national-day", 2027, date(2027, 10, 1), date(2027, 10, 7), 7),
    ],
)
def test_holiday_periods_match_the_official_calendar(occasion, year, first, last, days):
    assert holiday_period(occasion, year) == (first, last)
    assert len(days_of(first, last)) == days


def test_a_year_without_published_dates_names_the_year():
    with pytest.raises(InvalidInput) as refused:
        holiday_period("national-day", 2031)
    assert refused.value.field == "year"


def test_an_unknown_holiday_names_the_occasion():
    with pytest.raises(InvalidInput) as refused:
        holiday_period("christmas", 2026)
    assert refused.value.field == "occasion"
