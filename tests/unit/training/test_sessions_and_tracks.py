"""Places in a session, promotion from the waiting list, tracks completed, and targeted-help states."""

from __future__ import annotations

import pytest

from services.training.domain.assistance import assistance_transition
from services.training.domain.errors import Conflict
from services.training.domain.sessions import placement, promotions
from services.training.domain.tracks import Attended, Requirement, track_completed


def test_enrolling_past_capacity_joins_the_waiting_list_instead_of_failing():
    assert placement(confirmed=1, capacity=2) == "confirmed"
    assert placement(confirmed=2, capacity=2) == "waitlisted"


def test_free_places_are_offered_to_the_waiting_list_in_the_order_people_joined_it():
    assert promotions(capacity=3, confirmed=1, waiting=["a", "b", "c"]) == ["a", "b"]
    assert promotions(capacity=3, confirmed=3, waiting=["a"]) == []


def test_a_track_is_completed_only_when_every_requirement_is_met():
    requirements = [Requirement("salon", min_sessions=1), Requirement(None, min_hours=6)]
    assert track_completed(requirements, {"salon": Attended(1, 3.0), "lecture_hall": Attended(1, 3.0)})
    assert not track_completed(requirements, {"salon": Attended(1, 3.0)})
    assert not track_completed(requirements, {"lecture_hall": Attended(3, 9.0)})


def test_a_track_without_requirements_is_never_completed():
    assert not track_completed([], {"salon": Attended(5, 15.0)})


def test_targeted_help_goes_open_then_followed_up_then_closed():
    assert assistance_transition("open", "followed_up") == "followed_up"
    assert assistance_transition("followed_up", "closed") == "closed"
    with pytest.raises(Conflict) as refused:
        assistance_transition("open", "closed")
    assert refused.value.field == "status" and "open" in refused.value.message
