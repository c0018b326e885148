"""The one function that checks a reserve candidate's stage transitions."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest

from services.training.domain.errors import Conflict, Forbidden, Invalid
from services.training.domain.reserve import (
    Candidacy,
    OrganisationReserve,
    Stage,
    check_nomination_source,
    pool_ratio,
    transition,
)

ALLOWED = {
    ("nominated", "in_cultivation"),
    ("nominated", "removed"),
    ("in_cultivation", "ready"),
    ("in_cultivation", "removed"),
    ("ready", "appointed"),
    ("ready", "in_cultivation"),
    ("ready", "removed"),
}


@pytest.mark.parametrize("current,target", list(itertools.product(get_args(Stage), repeat=2)))
def test_only_the_documented_transitions_are_allowed_and_a_refusal_names_the_current_stage(current, target):
    if (current, target) in ALLOWED:
        assert transition(current, target, reason="调离") == target
    else:
        with pytest.raises(Conflict) as refused:
            transition(current, target, reason="调离")
        assert refused.value.field == "stage"
        assert f"the candidate is {current}" in refused.value.message


def test_removal_without_a_reason_is_refused_naming_the_reason():
    with pytest.raises(Invalid) as refused:
        transition("in_cultivation", "removed", reason="  ")
    assert refused.value.field == "reason"


def test_an_organisation_below_its_target_is_flagged_with_how_many_are_missing():
    assert OrganisationReserve("WG-TJ", 1, 2).below_target
    assert OrganisationReserve("WG-TJ", 1, 2).missing == 1
    assert not OrganisationReserve("WG-TJ", 3, 2).below_target
    assert OrganisationReserve("WG-TJ", 3, 2).missing == 0


def test_dadongs_290_candidates_for_145_organisations_is_a_ratio_of_two():
    assert pool_ratio(290, 145) == 2.0
    assert pool_ratio(0, 0) == 0.0


@pytest.mark.parametrize(
    ("channel", "by_staff", "for_self", "allowed"),
    [
        ("self", False, True, True),
        ("self", False, False, False),
        ("self", True, False, True),
        ("organisation", False, True, False),
        ("organisation", True, False, True),
        ("masses", False, True, False),
        ("masses", True, True, True),
    ],
)
def test_who_may_record_each_nomination_source(channel, by_staff, for_self, allowed):
    if allowed:
        check_nomination_source(channel, by_staff=by_staff, for_self=for_self)
    else:
        with pytest.raises(Forbidden) as refused:
            check_nomination_source(channel, by_staff=by_staff, for_self=for_self)
        assert refused.value.field == "nominated_by"


NOMINATED = datetime(2026, 4, 4, 15, 25, 6, tzinfo=UTC)


def test_a_candidacy_counts_from_its_nomination_until_it_ends():
    active = Candidacy(NOMINATED, "in_cultivation", NOMINATED + timedelta(days=3))
    assert not active.active_at(NOMINATED - timedelta(seconds=8))
    assert active.active_at(NOMINATED)
    assert active.active_at(NOMINATED + timedelta(days=30))
    appointed = Candidacy(NOMINATED, "appointed", NOMINATED + timedelta(days=1))
    assert appointed.active_at(NOMINATED + timedelta(hours=23))
    assert not appointed.active_at(NOMINATED + timedelta(days=1, seconds=1))
