"""Events of a case's resolution: fixed (处置), verified and closed (核实, 结案), or reopened."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from shared.events.catalogue.common import PersonRef, case_number_field
from shared.events.registry import EventData, event


@event("issue.resolved", version=1, subject="case_id")
class IssueResolved(EventData):
    """The unit says the problem is fixed; every reporter of the case is told, and one of them verifies."""

    case_id: UUID
    case_number: str | None = case_number_field()
    unit_id: str
    report_ids: list[UUID] = Field(min_length=1)
    reporters: list[PersonRef] = Field(description="Everyone who reported it, merged reports included.")
    resolved_by: str = Field(description="The handler's person id.")
    note: str = Field(max_length=2000, examples=["纸箱已清理，已向住户说明消防要求"])
    photo_url: str | None = Field(None, description="An after-photo, when the unit took one.")
    resolved_at: datetime


@event("issue.closed", version=1, subject="case_id")
class IssueClosed(EventData):
    """The fix was verified (or nobody verified it in time) and the case is closed."""

    case_id: UUID
    case_number: str | None = case_number_field()
    verified_by: PersonRef | None = Field(None, description="Null when the case closed by itself.")
    closed_automatically: bool = False
    closed_at: datetime


@event("issue.reopened", version=1, subject="case_id")
class IssueReopened(EventData):
    """Verification failed: the case goes back to the unit with a new deadline."""

    case_id: UUID
    case_number: str | None = case_number_field()
    unit_id: str
    reason: str = Field(min_length=1, max_length=1000)
    reopened_by: PersonRef
    deadline: datetime
    reopened_at: datetime
