"""Deadlines by severity and category, and distances on the ground."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.dispatch.context import DispatchSettings
from services.dispatch.domain.policy import distance_m

START = datetime(2026, 4, 4, 9, 0, tzinfo=UTC)


def test_default_deadlines_are_two_hours_a_day_three_days_and_a_week():
    policy = DispatchSettings(service_name="dispatch").policy()
    assert [policy.time_allowed(s, "fire.balcony-storage") for s in ("urgent", "high", "normal", "low")] == [
        timedelta(hours=2),
        timedelta(hours=24),
        timedelta(hours=72),
        timedelta(days=7),
    ]


def test_a_category_period_shortens_the_severity_period_but_never_lengthens_it():
    policy = DispatchSettings(
        service_name="dispatch", category_deadline_hours={"utilities.*": 1, "greenery.dead-branch": 500}
    ).policy()
    assert policy.deadline("normal", "utilities.gas-smell", START) == START + timedelta(hours=1)
    assert policy.deadline("high", "greenery.dead-branch", START) == START + timedelta(hours=24)


def test_thirty_metres_north_is_thirty_metres_and_a_degree_of_latitude_about_111_km():
    assert abs(distance_m(41.782, 123.452, 41.782 + 30 / 111_195, 123.452) - 30) < 0.1
    assert abs(distance_m(41.0, 123.0, 42.0, 123.0) - 111_195) < 10


def test_a_deadline_setting_that_forgets_a_severity_is_refused():
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="low"):
        DispatchSettings(service_name="dispatch", deadline_hours={"urgent": 1, "high": 2, "normal": 3})
