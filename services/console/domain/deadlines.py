"""How close a case is to its deadline, as the board colours it."""

from __future__ import annotations

# Time left, in seconds, under which a case turns amber (a day) and red (two hours).
AMBER_SECONDS = 24 * 3600
RED_SECONDS = 2 * 3600


def urgency(remaining_seconds: int | None) -> str:
    """`done` for a case no longer open, `overdue`, `red`, `amber` or `green`."""
    if remaining_seconds is None:
        return "done"
    if remaining_seconds < 0:
        return "overdue"
    if remaining_seconds < RED_SECONDS:
        return "red"
    if remaining_seconds < AMBER_SECONDS:
        return "amber"
    return "green"


def countdown(remaining_seconds: int | None) -> str:
    """`2d 03:15`, `-00:42` (overdue) or an empty string; the page ticks it down every second."""
    if remaining_seconds is None:
        return ""
    sign = "-" if remaining_seconds < 0 else ""
    left = abs(remaining_seconds)
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    return f"{sign}{days}d {hours:02d}:{minutes:02d}" if days else f"{sign}{hours:02d}:{minutes:02d}"
