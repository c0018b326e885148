"""Deadlines, merge distance and window, auto-close period: the rules set by configuration, and the maths."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_DEADLINES = {
    "urgent": timedelta(hours=2),
    "high": timedelta(hours=24),
    "normal": timedelta(hours=72),
    "low": timedelta(days=7),
}


@dataclass(frozen=True)
class Policy:
    deadlines: dict[str, timedelta] = field(default_factory=lambda: dict(DEFAULT_DEADLINES))
    category_deadlines: dict[str, timedelta] = field(default_factory=dict)
    merge_distance_m: float = 50.0
    merge_window: timedelta = timedelta(hours=72)
    auto_close_after: timedelta = timedelta(days=7)

    def time_allowed(self, severity: str, category: str) -> timedelta:
        """The severity's period; a category with its own period (code or `prefix.*`) takes the shorter."""
        allowed = self.deadlines.get(severity, self.deadlines["normal"])
        for pattern, period in self.category_deadlines.items():
            if category_matches(pattern, category):
                allowed = min(allowed, period)
        return allowed

    def deadline(self, severity: str, category: str, start: datetime) -> datetime:
        return start + self.time_allowed(severity, category)


def category_matches(pattern: str, code: str) -> bool:
    if pattern.endswith(".*"):
        return code.startswith(pattern[:-1])
    return code == pattern


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def remaining(deadline: datetime, now: datetime) -> timedelta:
    """Time left before the deadline; negative when overdue."""
    return deadline - now
