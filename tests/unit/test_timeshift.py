"""A replayed stream moves the moments inside each event's data by its offset, guided by the catalogue's models."""

from __future__ import annotations

import json
import typing
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import BaseModel

from ops.replay import ReplayOptions, prepare
from shared.events.catalogue.dispatch import DispatchAssigned
from shared.events.catalogue.training import TrainingSessionCancelled
from shared.events.envelope import encode_data, new_envelope
from shared.events.registry import all_event_models
from shared.events.structured import to_structured
from shared.events.timeshift import _shift_model, shift_data

AT = datetime(2026, 4, 4, 9, 30, tzinfo=UTC)
WEEK = timedelta(days=7, hours=1)


def _assigned() -> DispatchAssigned:
    return DispatchAssigned(
        case_id=uuid.uuid4(),
        report_ids=[uuid.uuid4()],
        unit_id="pm-WG-TJ",
        category="fire.balcony-storage",
        severity="high",
        community_code="WG-TJ",
        street_code="WG",
        deadline=AT + timedelta(hours=24),
        reason="rule 1",
        assigned_at=AT,
    )


def test_every_datetime_of_the_data_moves_by_the_offset_and_nothing_else_changes():
    event = _assigned()
    data = json.loads(encode_data(event))
    shifted = shift_data(event.event_type, event.version, data, WEEK)
    assert datetime.fromisoformat(shifted["assigned_at"]) == AT + WEEK
    assert datetime.fromisoformat(shifted["deadline"]) == AT + timedelta(hours=24) + WEEK
    unchanged = {key: value for key, value in shifted.items() if key not in ("assigned_at", "deadline")}
    assert unchanged == {key: value for key, value in data.items() if key not in ("assigned_at", "deadline")}


def test_optional_moments_move_when_present_and_members_the_model_does_not_know_are_kept():
    event = TrainingSessionCancelled(
        session_id="s-1", reason="r", cancelled_at=AT, title="书记沙龙", starts_at=AT + timedelta(days=1)
    )
    data = json.loads(encode_data(event)) | {"from_a_newer_producer": "2026-04-04T09:30:00+00:00"}
    shifted = shift_data(event.event_type, event.version, data, -WEEK)
    assert datetime.fromisoformat(shifted["starts_at"]) == AT + timedelta(days=1) - WEEK
    assert shifted["from_a_newer_producer"] == data["from_a_newer_producer"]
    absent = json.loads(encode_data(TrainingSessionCancelled(session_id="s-1", reason="r", cancelled_at=AT)))
    assert shift_data(event.event_type, event.version, absent, WEEK)["starts_at"] is None


def _datetime_members(model: type[BaseModel]) -> list[str]:
    """The top-level members that hold a datetime, optional ones included."""
    return [
        field.alias or name
        for name, field in model.model_fields.items()
        if field.annotation is datetime or datetime in typing.get_args(field.annotation)
    ]


@pytest.mark.parametrize(
    "model", all_event_models(), ids=lambda model: f"{model.event_type}.v{model.version}"
)
def test_every_catalogued_event_moves_each_of_its_moments(model):
    members = _datetime_members(model)
    data = {member: AT.isoformat() for member in members}
    shifted = shift_data(model.event_type, model.version, data, WEEK)
    assert {member: datetime.fromisoformat(shifted[member]) for member in members} == {
        member: AT + WEEK for member in members
    }


def test_dates_move_by_the_nearest_whole_number_of_days():
    class Dated(BaseModel):
        on: date
        moments: list[datetime]

    shifted = _shift_model(
        Dated, {"on": "2026-04-04", "moments": [AT.isoformat()]}, timedelta(days=2, hours=13)
    )
    assert shifted["on"] == "2026-04-07"
    assert datetime.fromisoformat(shifted["moments"][0]) == AT + timedelta(days=2, hours=13)


def test_replay_shift_to_moves_the_data_with_the_envelope():
    event = _assigned()
    envelope = new_envelope(event, source="/services/dispatch", time=AT)
    [(moved, body)] = prepare(
        [to_structured(envelope, encode_data(event))], ReplayOptions(shift_to=AT + timedelta(days=30))
    )
    assert moved.time == AT + timedelta(days=30)
    assert datetime.fromisoformat(json.loads(body)["deadline"]) == AT + timedelta(days=31)
