"""The edge's checks that need a field's declared type: blank required text, datetimes UTC cannot hold."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.http.fields import datetime_problem, field_problems


class Step(BaseModel):
    note: str = Field(min_length=1)
    at: datetime | None = None


class Command(BaseModel):
    reason: str = Field(min_length=1, max_length=100)
    comment: str | None = None  # free text that may be empty
    steps: list[Step] = []


def test_required_text_of_only_whitespace_is_blank_wherever_it_is_nested():
    value = {"reason": "\t \n", "comment": " ", "steps": [{"note": "ok"}, {"note": "\u3000 "}]}
    problems = field_problems(Command, value, ("body",))
    assert [problem.loc for problem in problems] == [("body", "reason"), ("body", "steps", 1, "note")]


def test_a_datetime_whose_offset_leaves_the_calendar_is_refused():
    assert datetime_problem("0001-01-01T00:00:00+14:00")
    assert datetime_problem("9999-12-31T23:59:59-14:00")
    assert datetime_problem("0001-01-01T00:00:00-14:00") is None
    assert datetime_problem("2026-10-01T08:00:00+08:00") is None
    assert datetime_problem("not a datetime") is None
    value = {"reason": "r", "steps": [{"note": "n", "at": "0001-01-01T00:00:00+14:00"}]}
    assert [p.loc for p in field_problems(Command, value, ("body",))] == [("body", "steps", 0, "at")]
