"""Cultivation tracks (the "1+4+8+N" system) as data: each track lists what a person must have attended."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    kind: str | None  # a session kind, or None for sessions of any kind
    min_sessions: int = 0
    min_hours: float = 0.0


@dataclass(frozen=True)
class Attended:
    sessions: int
    hours: float


def requirement_met(requirement: Requirement, by_kind: Mapping[str, Attended]) -> bool:
    if requirement.kind is None:
        sessions = sum(a.sessions for a in by_kind.values())
        hours = sum(a.hours for a in by_kind.values())
    else:
        attended = by_kind.get(requirement.kind, Attended(0, 0.0))
        sessions, hours = attended.sessions, attended.hours
    return sessions >= requirement.min_sessions and hours + 1e-9 >= requirement.min_hours


def track_completed(requirements: Sequence[Requirement], by_kind: Mapping[str, Attended]) -> bool:
    """A track with no requirements is never completed by accident."""
    return bool(requirements) and all(requirement_met(r, by_kind) for r in requirements)
