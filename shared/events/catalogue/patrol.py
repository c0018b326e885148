"""Events of the patrol service's duty shifts and patrols."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.events.catalogue.common import Location
from shared.events.registry import EventData, event


@event("patrol.shift.scheduled", version=1, subject="shift_id")
class PatrolShiftScheduled(EventData):
    """A watcher was put on a duty shift (a holiday roster, or an ordinary one)."""

    shift_id: str
    watcher_id: str
    community_code: str
    starts_at: datetime
    ends_at: datetime
    occasion: str | None = Field(
        None, description="The holiday the roster is for.", examples=["national-day"]
    )
    scheduled_at: datetime


@event("patrol.shift.cancelled", version=1, subject="shift_id")
class PatrolShiftCancelled(EventData):
    """A scheduled shift will not take place; its reminders must not be sent."""

    shift_id: str
    watcher_id: str
    reason: str = Field(max_length=500)
    cancelled_at: datetime


@event("patrol.started", version=1, subject="patrol_id")
class PatrolStarted(EventData):
    """A watcher set out on a round."""

    patrol_id: str
    watcher_id: str
    shift_id: str | None = None
    community_code: str
    location: Location | None = None
    started_at: datetime


@event("patrol.ended", version=1, subject="patrol_id")
class PatrolEnded(EventData):
    """A watcher finished a round."""

    patrol_id: str
    watcher_id: str
    location: Location | None = None
    notes_recorded: int = Field(0, ge=0)
    reports_made: int = Field(0, ge=0)
    ended_at: datetime
