"""China's public holidays that call for a duty roster (节假日值守). No I/O.

The dates come from the `holidays` package, which carries the State Council's yearly schedule (the days off, moved
days off and make-up working days, 调休) for every year it has been published, and computes the statutory days
(lunar ones included) for the years not published yet. A roster for such a year is marked `estimated`: upgrading
the package brings the official schedule, with no code change.

A holiday's period is the run of consecutive days off around its statutory days: weekends and moved days off
join it, make-up working days end it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from holidays.countries.china import ChinaStaticHolidays

from services.patrol.domain.watcher_errors import InvalidInput

OCCASIONS = {
    "new-year": "元旦",
    "spring-festival": "春节",
    "qingming": "清明节",
    "may-day": "劳动节",
    "dragon-boat": "端午节",
    "mid-autumn": "中秋节",
    "national-day": "国庆节",
}
# The names the `holidays` package gives each occasion's statutory days (and their observed days) in Chinese.
_STATUTORY_NAMES = {
    "new-year": ("元旦",),
    "spring-festival": ("春节", "农历除夕"),
    "qingming": ("清明节",),
    "may-day": ("劳动节",),
    "dragon-boat": ("端午节",),
    "mid-autumn": ("中秋节",),
    "national-day": ("国庆节",),
}
FIRST_YEAR, LAST_YEAR = 2001, 2099  # the official schedule exists from 2001; the lunar tables end in 2100
_NEARBY = timedelta(days=14)


@dataclass(frozen=True)
class HolidayPeriod:
    occasion: str
    first: date
    last: date
    makeup_workdays: tuple[date, ...]  # 调休上班 around the holiday: working days, not days off
    estimated: bool  # the State Council's schedule for the year is not in the calendar yet

    @property
    def days(self) -> list[date]:
        return days_of(self.first, self.last)


@lru_cache(maxsize=64)
def _calendar(year: int) -> tuple[dict[date, str], frozenset[date], bool]:
    """The year's days off (with their names), its make-up working days, and whether its schedule is official."""
    days_off: dict[date, str] = {}
    for y in (year - 1, year, year + 1):  # a period may cross New Year
        days_off.update(holidays.China(years=y, language="zh_CN").items())
    makeup: set[date] = set()
    for y in (year - 1, year, year + 1):
        for entry in _substitutions(y):
            makeup.add(entry)
    return days_off, frozenset(makeup), year in ChinaStaticHolidays.special_public_holidays


def _substitutions(year: int) -> list[date]:
    """Make-up working days of a year: each moved day off names the weekend day worked in its place."""
    entries = ChinaStaticHolidays.special_public_holidays.get(year, ())
    if entries and not isinstance(entries[0], tuple):
        entries = (entries,)
    found = []
    for entry in entries:
        if len(entry) == 4 and all(
            isinstance(part, int) for part in entry
        ):  # (month, day, from month, from day)
            found.append(date(year, entry[2], entry[3]))
        elif len(entry) == 5 and all(isinstance(part, int) for part in entry):  # ... and the year worked
            found.append(date(entry[4], entry[2], entry[3]))
    return found


def holiday_schedule(occasion: str, year: int) -> HolidayPeriod:
    """The period of days off of `occasion` in `year`, its make-up working days, and whether it is official."""
    if occasion not in OCCASIONS:
        raise InvalidInput("occasion", f"unknown holiday {occasion!r}; known: {', '.join(OCCASIONS)}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            "year", f"the holiday calendar covers {FIRST_YEAR} to {LAST_YEAR}; give first_day and last_day"
        )
    days_off, makeup, official = _calendar(year)
    names = _STATUTORY_NAMES[occasion]
    statutory = sorted(d for d, name in days_off.items() if d.year == year and any(n in name for n in names))
    if not statutory:
        raise InvalidInput("year", f"no {occasion} in {year}; give first_day and last_day")

    def off(day: date) -> bool:
        return day in days_off or (day.weekday() >= 5 and day not in makeup)

    first, last = statutory[0], statutory[-1]
    while off(first - timedelta(days=1)):
        first -= timedelta(days=1)
    while off(last + timedelta(days=1)):
        last += timedelta(days=1)
    nearby = tuple(sorted(d for d in makeup if first - _NEARBY <= d <= last + _NEARBY))
    return HolidayPeriod(occasion, first, last, nearby, estimated=not official)


def holiday_period(occasion: str, year: int) -> tuple[date, date]:
    """First and last day of the holiday, both included."""
    period = holiday_schedule(occasion, year)
    return period.first, period.last


def days_of(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
