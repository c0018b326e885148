"""What makes a door-knocking visit or a caring follow-up acceptable, when a need is met, and quarters."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from services.patrol.domain.visits import (
    Coverage,
    FollowUp,
    NeedFound,
    VisitDraft,
    VisitRejected,
    check_visit,
    need_is_open,
    parse_quarter,
)
from shared.clock import DISTRICT_TIMEZONE

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
NEED = NeedFound("need.elderly-care", "独居老人")
OPEN = uuid.uuid4()


def _refused(draft: VisitDraft, open_needs: set[uuid.UUID] | None = None) -> str:
    with pytest.raises(VisitRejected) as refused:
        check_visit(draft, open_needs or set(), NOW)
    return refused.value.field


def test_a_visit_takes_place_now_unless_told_and_never_in_the_future():
    assert check_visit(VisitDraft("door_knocking", answered=False), set(), NOW) == NOW
    earlier = NOW - timedelta(days=3)
    assert check_visit(VisitDraft("door_knocking", answered=False, visited_at=earlier), set(), NOW) == earlier
    assert _refused(VisitDraft("door_knocking", False, visited_at=NOW + timedelta(hours=1))) == "visited_at"
    assert _refused(VisitDraft("door_knocking", False, visited_at=datetime(2026, 12, 1))) == "visited_at"


def test_nobody_at_home_means_no_need_found_and_none_confirmed_met():
    assert _refused(VisitDraft("door_knocking", answered=False, needs=[NEED])) == "answered"
    met = VisitDraft("caring_followup", answered=False, followups=[FollowUp(OPEN, "met")])
    assert _refused(met, {OPEN}) == "answered"
    tried = VisitDraft("caring_followup", answered=False, followups=[FollowUp(OPEN, "in_progress")])
    assert check_visit(tried, {OPEN}, NOW) == NOW


def test_a_follow_up_names_open_needs_of_the_household_once_each():
    assert _refused(VisitDraft("caring_followup", answered=True)) == "followups"
    closed = VisitDraft("caring_followup", True, followups=[FollowUp(uuid.uuid4(), "met")])
    assert _refused(closed, {OPEN}) == "followups[0].report_id"
    twice = VisitDraft(
        "caring_followup", True, followups=[FollowUp(OPEN, "in_progress"), FollowUp(OPEN, "met")]
    )
    assert _refused(twice, {OPEN}) == "followups[1].report_id"
    assert _refused(VisitDraft("door_knocking", True, needs=[NEED] * 11)) == "needs"


def test_a_need_is_open_until_met_on_a_visit_or_its_case_is_closed():
    assert need_is_open(met_on_a_visit=False, case_status_open=True)
    assert not need_is_open(met_on_a_visit=True, case_status_open=True)
    assert not need_is_open(met_on_a_visit=False, case_status_open=False)


def test_quarters_run_in_district_time():
    q4 = parse_quarter("2026-Q4", date(2026, 1, 1))
    assert (q4.starts, q4.ends) == (
        datetime(2026, 10, 1, tzinfo=DISTRICT_TIMEZONE),
        datetime(2027, 1, 1, tzinfo=DISTRICT_TIMEZONE),
    )
    assert parse_quarter(None, date(2026, 5, 20)).label == "2026-Q2"
    for bad in ("2026-Q0", "2026-Q5", "Q1-2026", "1999-Q1", "2026-q1"):
        with pytest.raises(VisitRejected):
            parse_quarter(bad, date(2026, 1, 1))


def test_coverage_is_households_visited_over_households_kept():
    assert Coverage("WG-TJ", households=3, visited=1, visits=2, needs_found=1, needs_met=0).ratio == 0.333
    assert Coverage("WG-TJ", households=0, visited=0, visits=0, needs_found=0, needs_met=0).ratio == 0.0
