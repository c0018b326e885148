"""What the training API answers when read: people and sessions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class PersonSummary(BaseModel):
    person_id: str
    display_name: str
    roles: list[str]
    organisation_code: str | None
    street_code: str | None
    active: bool
    sample: bool = Field(description="Sample data of the demonstration, not a real person.")


class Person(PersonSummary):
    preferred_language: str
    contacts: list[Any] = Field(description="Contact details, masked.")


class SessionFields(BaseModel):
    session_id: str
    kind: str
    title: str
    topic: str | None
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    lecturer_id: str | None
    course_id: str | None
    status: str = Field(description="scheduled or cancelled.")
    sample: bool


class SessionSummary(SessionFields):
    confirmed: int = Field(description="Places taken.")
    waitlisted: int


class Feedback(BaseModel):
    ratings: int
    average: float | None


class Material(BaseModel):
    title: str
    url: str


class Attendance(BaseModel):
    attended: int
    hours: float


class Session(SessionFields):
    cancel_reason: str | None
    scheduled_at: datetime
    confirmed: list[str] = Field(description="Who holds a place, in order.")
    waiting_list: list[str]
    feedback: Feedback
    materials: list[Material]
    attendance: Attendance


class Organisation(BaseModel):
    code: str
    kind: str = Field(description="community or village.")
    street_code: str
    name_zh: str
    name_en: str
    secretary_id: str | None
    secretary_post: str | None
    weak_areas: list[str] = Field(description="Areas with targeted help not yet closed.")


class Track(BaseModel):
    code: str
    name: str
    description: str
    requirements: list[dict[str, Any]] = Field(description="What completing the track requires.")


class Course(BaseModel):
    course_id: str
    title: str
    kind: str
    description: str
    planned_sessions: int
    sample: bool
    sessions: int = Field(description="Sessions scheduled in the course.")


class Studio(BaseModel):
    studio_id: str
    name: str
    lead_mentor_id: str
    focus: str
    sample: bool
    active_pairings: int


class ProgressNote(BaseModel):
    noted_on: date
    progress: str


class Pairing(BaseModel):
    pairing_id: str
    studio_id: str
    mentor_id: str
    mentee_id: str
    started_on: date
    goals: str
    ended_on: date | None
    created_at: datetime
    active: bool
    notes: list[ProgressNote]


class AssistanceSummary(BaseModel):
    assistance_id: str
    organisation_code: str
    area: str = Field(description="The area the community is weak in.")
    helper_id: str = Field(description="The excellent secretary sent to help.")
    status: str = Field(description="open, followed_up or closed.")
    opened_at: datetime
    closed_at: datetime | None


class FollowUpNote(BaseModel):
    noted_on: date
    note: str


class Assistance(AssistanceSummary):
    analysis: str | None
    guidance: str | None
    followups: list[FollowUpNote]


class OrganisationReserve(BaseModel):
    code: str
    name_zh: str
    street_code: str
    candidates: int = Field(description="Active candidates: nominated, in cultivation or ready.")
    target: int
    fill: float = Field(description="Candidates over the target.")
    below_target: bool
    missing: int = Field(description="Candidates still needed to reach the target.")


class ReservePool(BaseModel):
    organisations: int
    candidates: int
    target: int
    ratio: float = Field(description="Active candidates per organisation.")
    fill: float
    target_per_organisation: int
    below_target: list[str] = Field(description="The organisations below the target.")
    per_organisation: list[OrganisationReserve]


class CandidateSummary(BaseModel):
    candidate_id: str
    person_id: str
    organisation_code: str
    nominated_by: str = Field(description="organisation, masses or self.")
    stage: str
    nominated_at: datetime


class CultivationRecord(BaseModel):
    record_id: int
    kind: str = Field(description="method, rotation, talk or review.")
    method: str | None
    occurred_on: date
    summary: str
    detail: dict[str, Any]
    recorded_by: str


class Candidate(CandidateSummary):
    nominator: str | None
    removed_reason: str | None
    sample: bool
    stage_changed_at: datetime
    records: list[CultivationRecord]
    practice_cases: int = Field(description="Cases the candidate practised on.")


class AttendedSession(BaseModel):
    session_id: str
    kind: str
    title: str
    starts_at: datetime
    hours: float


class KindTotals(BaseModel):
    sessions: int
    hours: float


class UpcomingEnrolment(BaseModel):
    session_id: str
    title: str
    starts_at: datetime
    status: str = Field(description="confirmed or waitlisted.")


class MenteePairing(BaseModel):
    pairing_id: str
    studio_id: str
    mentor_id: str
    started_on: date
    goals: str
    ended_on: date | None


class TrainingRecord(BaseModel):
    person_id: str
    sessions: list[AttendedSession]
    sessions_attended: int
    hours: float
    by_kind: dict[str, KindTotals] = Field(description="Sessions and hours by kind of session.")
    tracks_completed: list[str]
    enrolments: list[UpcomingEnrolment]
    mentor_pairings: list[MenteePairing]
    practice_cases: int


class ResultLine(BaseModel):
    rank: int
    person_id: str
    street_code: str
    total: float
    round_averages: list[float]


class Results(BaseModel):
    competition_id: str
    title: str
    tie_break: str
    published_at: datetime | None
    ranking: list[ResultLine]


class CompetitionSummary(BaseModel):
    competition_id: str
    title: str
    status: str = Field(description="registration, final or published.")
    finalists_planned: int = Field(description="How many the preliminary round keeps.")
    registered: int
    finalists: int = Field(description="How many the preliminary kept (0 before it is scored).")
    created_at: datetime
    published_at: datetime | None
