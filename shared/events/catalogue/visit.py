"""Events of the door-knocking visits (敲门行动) and the caring action's follow-ups (暖心行动), published by patrol."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.events.catalogue.common import PersonRef
from shared.events.registry import EventData, event

VisitKind = Literal["door_knocking", "caring_followup"]


@event("household.visited", version=1, subject="household_id")
class HouseholdVisited(EventData):
    """A community worker or volunteer knocked on a household's door. The needs found there travel as their own
    `hazard.reported` events (kind `need`), so each becomes a case; a follow-up names the needs it looked at."""

    visit_id: uuid.UUID
    household_id: str = Field(examples=["hh-WG-TJ-7-2-301"])
    community_code: str = Field(examples=["WG-TJ"])
    street_code: str = Field(examples=["WG"])
    kind: VisitKind = Field(
        description="door_knocking 敲门行动, or caring_followup 暖心行动 on needs found before."
    )
    visited_by: PersonRef
    visited_at: datetime
    answered: bool = Field(description="Someone was at home and talked with the visitor.")
    need_report_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Needs found on this visit, each a new report (and case)."
    )
    followed_up_report_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Needs found earlier that this visit looked at again."
    )
    met_report_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Of those, the needs the household says are now met."
    )
