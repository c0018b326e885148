"""Events of the training service: people, sessions, attendance, the reserve pool, and the Social Worker Cup."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.catalogue.watcher import SEALED_CONTACTS
from shared.events.registry import EventData, event

PersonRole = Literal["secretary", "community_worker", "reserve_candidate", "mentor", "lecturer", "trainer"]
SessionKind = Literal[
    "salon",
    "lecture_hall",
    "case_workshop",
    "job_shadowing",
    "study_trip",
    "party_lesson",
    "on_site_teaching",
    "course",
]


@event("person.registered", version=1, subject="person_id")
class PersonRegistered(EventData):
    """A secretary, community worker, reserve candidate, mentor or lecturer is known to training."""

    person_id: str = Field(examples=["p-0001"])
    display_name: str = Field(max_length=100)
    roles: list[PersonRole] = Field(min_length=1)
    organisation_code: str | None = Field(
        None, description="The community or village, when the person has one."
    )
    preferred_language: str = "zh-CN"
    sealed_contacts: str | None = Field(None, description=SEALED_CONTACTS)
    registered_at: datetime


@event("person.updated", version=1, subject="person_id")
class PersonUpdated(EventData):
    """A person's details changed; the event carries the whole current state."""

    person_id: str
    display_name: str = Field(max_length=100)
    roles: list[PersonRole] = Field(min_length=1)
    organisation_code: str | None = None
    preferred_language: str = "zh-CN"
    sealed_contacts: str | None = Field(None, description=SEALED_CONTACTS)
    active: bool = True
    updated_at: datetime


@event("training.session.scheduled", version=1, subject="session_id")
class TrainingSessionScheduled(EventData):
    """A salon, lecture hall, workshop or other session was put on the calendar."""

    session_id: str
    kind: SessionKind
    title: str = Field(max_length=200, examples=["书记沙龙：老旧小区改造"])
    topic: str | None = None
    place: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime
    lecturer_id: str | None = None
    scheduled_at: datetime


@event("training.enrolment.confirmed", version=1, subject="session_id")
class TrainingEnrolmentConfirmed(EventData):
    """A person holds a place in a session (straight away, or off the waiting list)."""

    session_id: str
    person_id: str
    title: str = Field(max_length=200)
    place: str = Field(max_length=200)
    starts_at: datetime
    confirmed_at: datetime


@event("training.enrolment.withdrawn", version=1, subject="session_id")
class TrainingEnrolmentWithdrawn(EventData):
    """A person gave up their place; their reminders must not be sent."""

    session_id: str
    person_id: str
    withdrawn_at: datetime


@event("training.session.cancelled", version=1, subject="session_id")
class TrainingSessionCancelled(EventData):
    """A session will not take place; everyone enrolled is told and their reminders are cancelled."""

    session_id: str
    reason: str = Field(max_length=500)
    enrolled_person_ids: list[str] = Field(default_factory=list)
    cancelled_at: datetime
    # Added within version 1 (optional, so events published before carry none): what a person's notice names.
    title: str | None = Field(None, max_length=200, examples=["书记沙龙：老旧小区改造"])
    starts_at: datetime | None = Field(None, description="When the session was to start.")
    place: str | None = Field(None, max_length=200)


@event("training.attendance.recorded", version=1, subject="session_id")
class TrainingAttendanceRecorded(EventData):
    """Who attended a session, and for how long."""

    session_id: str
    person_id: str
    attended: bool
    hours: float = Field(ge=0, le=24)
    recorded_at: datetime


@event("reserve.candidate.appointed", version=1, subject="candidate_id")
class ReserveCandidateAppointed(EventData):
    """A reserve candidate was appointed secretary ("appoint one when one is ready")."""

    candidate_id: str = Field(description="The candidate's person id.")
    organisation_code: str
    post: str = Field(examples=["社区党委书记"])
    appointed_at: datetime


class RankedContestant(BaseModel):
    """One line of a competition's final ranking."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    rank: int = Field(ge=1, description="Shared by contestants whose scores tie after every tie-break.")
    person_id: str = Field(examples=["p-0001"])
    street_code: str = Field(examples=["WG"])
    total: float = Field(description="The sum of the contestant's per-round averages over the judges.")
    round_averages: list[float] = Field(
        min_length=3, max_length=3, description="Average judges' score in rounds 1, 2 and 3."
    )


@event("competition.results.published", version=1, subject="competition_id")
class CompetitionResultsPublished(EventData):
    """The final ranking of a Social Worker Cup (社工杯) was published."""

    competition_id: str = Field(examples=["cup-2026"])
    title: str = Field(max_length=200, examples=["第二届“社工杯”职业能力大赛区级决赛"])
    tie_break: str = Field(description="How equal totals were ordered before ranks were shared.")
    ranking: list[RankedContestant] = Field(description="Best first.")
    published_at: datetime
