"""Door-knocking visits (敲门行动) and the caring action's follow-ups (暖心行动): what makes a visit acceptable,
when a need counts as met, and a community's coverage over a quarter.

A household is an address within its community, as the community keeps it (building, unit, door): no names and no
phone numbers. A visit that finds needs turns each into a report of kind `need`, so each becomes a case through
the same pipeline as a hazard; a follow-up visit looks at needs found before and records whether each is met.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from shared.clock import DISTRICT_TIMEZONE
from shared.errors import Invalid

VisitKind = Literal["door_knocking", "caring_followup"]
Outcome = Literal["in_progress", "met"]
VISITING_ROLES = ("community_worker", "watcher")  # volunteers knock on doors with the community's workers
MAX_NEEDS_PER_VISIT = 10
CLOCK_SKEW = timedelta(minutes=5)
_QUARTER = re.compile(r"^(?P<year>\d{4})-Q(?P<quarter>[1-4])$")


class VisitRejected(Invalid):
    """A field's value that cannot be accepted: 422 naming it."""


@dataclass(frozen=True)
class NeedFound:
    category: str
    description: str
    severity: str | None = None


@dataclass(frozen=True)
class FollowUp:
    report_id: uuid.UUID
    outcome: Outcome
    note: str = ""


@dataclass(frozen=True)
class VisitDraft:
    kind: VisitKind
    answered: bool
    visited_at: datetime | None = None
    notes: str = ""
    needs: list[NeedFound] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)


def check_visit(draft: VisitDraft, open_needs: set[uuid.UUID], now: datetime) -> datetime:
    """The moment the visit took place, once the draft is found acceptable for a household whose open needs are
    `open_needs`; otherwise VisitRejected naming the field."""
    visited_at = draft.visited_at or now
    if visited_at.tzinfo is None:
        raise VisitRejected("visited_at", "give a time zone (e.g. +08:00)")
    if visited_at > now + CLOCK_SKEW:
        raise VisitRejected("visited_at", "a visit cannot be recorded before it took place")
    if not draft.answered and (draft.needs or any(f.outcome == "met" for f in draft.followups)):
        raise VisitRejected(
            "answered", "nobody answered: no need can be found or confirmed met on this visit"
        )
    if len(draft.needs) > MAX_NEEDS_PER_VISIT:
        raise VisitRejected("needs", f"at most {MAX_NEEDS_PER_VISIT} needs per visit")
    if draft.kind == "caring_followup" and not draft.followups:
        raise VisitRejected("followups", "a caring follow-up names the needs it looked at again")
    seen: set[uuid.UUID] = set()
    for index, followup in enumerate(draft.followups):
        if followup.report_id in seen:
            raise VisitRejected(f"followups[{index}].report_id", "named twice")
        seen.add(followup.report_id)
        if followup.report_id not in open_needs:
            raise VisitRejected(
                f"followups[{index}].report_id", "not an open need of this household (met, closed or unknown)"
            )
    return visited_at


def need_is_open(met_on_a_visit: bool, case_status_open: bool) -> bool:
    """A need stays open until the household says it is met, or its case is closed (or withdrawn, cancelled)."""
    return not met_on_a_visit and case_status_open


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def starts(self) -> datetime:
        return datetime(self.year, 3 * self.number - 2, 1, tzinfo=DISTRICT_TIMEZONE)

    @property
    def ends(self) -> datetime:
        year, month = (self.year + 1, 1) if self.number == 4 else (self.year, 3 * self.number + 1)
        return datetime(year, month, 1, tzinfo=DISTRICT_TIMEZONE)


def parse_quarter(value: str | None, today: date) -> Quarter:
    """`2026-Q4`; none: the quarter `today` (district time) falls in."""
    if not value:
        return Quarter(today.year, (today.month - 1) // 3 + 1)
    match = _QUARTER.match(value)
    if match is None or not 2000 <= int(match["year"]) <= 2100:
        raise VisitRejected("quarter", f"{value!r} is not a quarter like 2026-Q4")
    return Quarter(int(match["year"]), int(match["quarter"]))


@dataclass(frozen=True)
class Coverage:
    community_code: str
    households: int
    visited: int
    visits: int
    needs_found: int
    needs_met: int

    @property
    def ratio(self) -> float:
        """Households visited in the quarter over households the community keeps (0 when it keeps none)."""
        return round(self.visited / self.households, 3) if self.households else 0.0
