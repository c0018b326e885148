"""A report's public status comes from its newest timeline entry, whatever order the entries arrived in."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.patrol.domain.report_status import Entry, assigned_note, local_time, summarise

T0 = datetime(2026, 4, 4, 1, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 4, 5, 10, 0, tzinfo=UTC)


def story() -> list[Entry]:
    return [
        Entry("hazard.reported", T0, "submitted", "已上报"),
        Entry("dispatch.assigned", T0 + timedelta(minutes=5), "assigned", "派", "pm-1", DEADLINE),
        Entry("dispatch.accepted", T0 + timedelta(minutes=30), "accepted", "受理", "pm-1"),
        Entry("issue.resolved", T0 + timedelta(hours=3), "resolved", "已处理", "pm-1"),
        Entry("issue.closed", T0 + timedelta(hours=5), "closed", "结案"),
    ]


def test_every_order_of_the_same_events_gives_the_same_status_and_history():
    results = {
        (summarise(list(order)).status, tuple(e.status for e in summarise(list(order)).history))
        for order in itertools.permutations(story())
    }
    assert results == {("closed", ("submitted", "assigned", "accepted", "resolved", "closed"))}


@given(st.permutations(story()[:4]))
def test_a_late_assignment_never_takes_a_resolved_report_back(order):
    summary = summarise(order)
    assert summary.status == "resolved"
    assert summary.unit_id == "pm-1" and summary.deadline == DEADLINE
    assert summary.is_open


def test_a_returned_case_has_no_unit_until_it_is_reassigned():
    entries = story()[:2] + [Entry("dispatch.returned", T0 + timedelta(hours=1), "returned", "退回")]
    assert summarise(entries).unit_id is None and summarise(entries).deadline is None
    new_deadline = DEADLINE + timedelta(days=1)
    entries.append(
        Entry("dispatch.reassigned", T0 + timedelta(hours=2), "assigned", "改派", "pm-2", new_deadline)
    )
    assert (summarise(entries).unit_id, summarise(entries).deadline) == ("pm-2", new_deadline)


def test_at_the_same_instant_the_later_workflow_step_wins():
    same = T0 + timedelta(hours=1)
    entries = [
        Entry("issue.closed", same, "closed", "结案"),
        Entry("issue.resolved", same, "resolved", "已处理"),
    ]
    assert summarise(entries).status == "closed"


def test_withdrawn_and_closed_reports_are_not_open():
    withdrawn = [story()[0], Entry("hazard.withdrawn", T0 + timedelta(minutes=1), "withdrawn", "已撤回")]
    assert not summarise(withdrawn).is_open
    assert not summarise(story()).is_open


def test_deadlines_read_in_district_time():
    assert local_time(DEADLINE) == "2026-04-05 18:00"
    assert assigned_note("团结物业", DEADLINE) == "已派给团结物业，2026-04-05 18:00前处理"
