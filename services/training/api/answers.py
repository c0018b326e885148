"""What the training API answers to its commands: the id of what was made, or what changed."""

from __future__ import annotations

from pydantic import BaseModel, Field

from services.training.domain.reserve import Stage
from shared.events.catalogue.training import RankedContestant


class PersonMade(BaseModel):
    person_id: str


class CourseMade(BaseModel):
    course_id: str


class StudioMade(BaseModel):
    studio_id: str


class PairingMade(BaseModel):
    pairing_id: str


class SessionMade(BaseModel):
    session_id: str


class AssistanceMade(BaseModel):
    assistance_id: str
    status: str = Field(description="open.")


class CandidateMade(BaseModel):
    candidate_id: str


class CandidateStage(BaseModel):
    candidate_id: str
    stage: Stage


class RecordMade(BaseModel):
    record_id: int


class CompetitionMade(BaseModel):
    competition_id: str
    rounds: dict[int, str] = Field(description="The rounds, by number.")


class ContestantRegistered(BaseModel):
    competition_id: str
    person_id: str


class Finalists(BaseModel):
    finalists: list[str] = Field(description="The people who go to the final.")


class ScoreRecorded(BaseModel):
    judge_id: str
    round: int
    person_id: str


class Ranking(BaseModel):
    competition_id: str
    tie_break: str
    ranking: list[RankedContestant]


class Published(BaseModel):
    competition_id: str
    ranking: list[RankedContestant]


class Enrolment(BaseModel):
    person_id: str
    status: str = Field(description="confirmed or waitlisted.")


class Promoted(BaseModel):
    promoted: list[str] = Field(description="The people moved up from the waiting list.")


class AttendanceRecorded(BaseModel):
    recorded: int = Field(description="How many attendance lines were recorded.")


class MaterialMade(BaseModel):
    material_id: int
