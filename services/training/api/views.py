"""What the training API answers when read: people and sessions."""

from __future__ import annotations

from datetime import datetime
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
