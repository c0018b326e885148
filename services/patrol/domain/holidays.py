"""China's public holidays that call for a duty roster (节假日值守), as the State Council announced them. No I/O.

Add a year here when its dates are published; any other period can be given as an explicit date range.
"""

from __future__ import annotations

from datetime import date, timedelta

from services.patrol.domain.watcher_errors import InvalidInput

OCCASIONS = {"qingming": "清明节", "may-day": "劳动节", "national-day": "国庆节"}

HOLIDAYS: dict[tuple[str, int], tuple[date, date]] = {
    ("qingming", 2026): (date(2026, 4, 4), date(2026, 4, 6)),
    ("may-day", 2026): (date(2026, 5, 1), date(2026, 5, 5)),
    ("national-day", 2026): (date(2026, 10, 1), date(2026, 10, 8)),
    ("qingming", 2027): (date(2027, 4, 3), date(2027, 4, 5)),
    ("may-day", 2027): (date(2027, 5, 1), date(2027, 5, 5)),
    ("national-day", 2027): (date(2027, 10, 1), date(2027, 10, 7)),
}


def holiday_period(occasion: str, year: int) -> tuple[date, date]:
    """First and last day of the holiday, both included."""
    if occasion not in OCCASIONS:
        raise InvalidInput("occasion", f"unknown holiday {occasion!r}; known: {', '.join(OCCASIONS)}")
    try:
        return HOLIDAYS[(occasion, year)]
    except KeyError:
        known = sorted(y for o, y in HOLIDAYS if o == occasion)
        raise InvalidInput(
            "year", f"no {occasion} dates for {year} (known years {known}); give first_day and last_day"
        ) from None


def days_of(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
