"""The lifecycle table: the actions each state allows, and random walks through it that never go astray."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from services.dispatch.domain.lifecycle import (
    ACTIONS,
    FINAL,
    OPEN,
    STATUSES,
    InvalidTransition,
    allowed_actions,
    next_status,
)


def test_the_happy_path_runs_from_assigned_to_closed():
    status = "assigned"
    for action in ("accept", "start", "resolve", "verify"):
        status = next_status(status, action)
    assert status == "closed"


def test_an_invalid_action_names_the_current_state_and_what_is_allowed():
    with pytest.raises(InvalidTransition) as refused:
        next_status("assigned", "resolve")
    assert refused.value.current == "assigned"
    assert "assigned" in str(refused.value) and "accept" in str(refused.value)


def test_a_final_state_allows_nothing_but_notes():
    for status in FINAL:
        assert allowed_actions(status) == []
        for action in ACTIONS:
            if action != "note":
                with pytest.raises(InvalidTransition):
                    next_status(status, action)


def test_a_withdrawal_cancels_only_a_case_no_unit_holds_accepted():
    assert {s for s in STATUSES if "withdraw" in allowed_actions(s)} == {"assigned", "returned"}


def test_only_open_cases_escalate_and_escalation_keeps_the_state():
    assert {s for s in STATUSES if "escalate" in allowed_actions(s)} == set(OPEN)
    assert all(next_status(s, "escalate") == s for s in OPEN)


class CaseWalk(RuleBasedStateMachine):
    """Random actions on one case, checked against rules stated independently of the table."""

    def __init__(self) -> None:
        super().__init__()
        self.status = "assigned"
        self.audit: list[tuple[str, str, str]] = [("open", "", "assigned")]
        self.accepted_in_cycle = False
        self.resolved_once = False

    @rule(action=st.sampled_from([a for a in ACTIONS if a != "open"]))
    def act(self, action: str) -> None:
        before = self.status
        try:
            after = next_status(before, action)
        except InvalidTransition as refused:
            assert refused.current == before
            return
        self.audit.append((action, before, after))
        self.status = after
        if action == "accept":
            self.accepted_in_cycle = True
        if action in ("reassign",):
            self.accepted_in_cycle = False
        if action == "withdraw":
            assert not (before == "assigned" and self.accepted_in_cycle), "withdrawn after acceptance"
        if after == "closed" and before != "closed":
            assert before == "resolved", "closed without being resolved"
        if action == "resolve":
            self.resolved_once = True
            assert before in ("accepted", "in_progress", "reopened"), "resolved before the unit took it on"
        if before in FINAL:
            assert after == before, "a final case changed"

    @invariant()
    def the_state_is_known_and_the_audit_is_an_unbroken_chain(self) -> None:
        assert self.status in STATUSES
        for previous, entry in zip(self.audit, self.audit[1:], strict=False):
            assert entry[1] == previous[2]
        assert self.audit[-1][2] == self.status

    @invariant()
    def a_closed_case_was_resolved(self) -> None:
        if self.status == "closed":
            assert self.resolved_once


TestCaseWalk = CaseWalk.TestCase
TestCaseWalk.settings = settings(max_examples=300, stateful_step_count=40, deadline=None)
