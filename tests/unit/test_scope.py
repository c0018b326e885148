"""The one scope rule: what each role's token covers, and that a missing claim covers nothing."""

from __future__ import annotations

import pytest

from shared.auth import Principal
from shared.reference import ReferenceBundle
from shared.scope import Forbidden, NotFound, scope_of

BUNDLE = ReferenceBundle.load()


def scope(*roles: str, community: str | None = None, street: str | None = None, units: tuple[str, ...] = ()):
    principal = Principal(
        "p-1", frozenset(roles), community_code=community, street_code=street, unit_ids=frozenset(units)
    )
    return scope_of(principal, BUNDLE)


@pytest.mark.parametrize("roles", [("admin",), ("service",), ("dispatcher",), ("trainer",)])
def test_admins_services_and_district_staff_cover_the_whole_district(roles):
    covering = scope(*roles)
    assert covering.district and covering.covers_community("S02-C01") and covering.covers_unit("greenery")
    assert covering.narrow(None) is None and covering.narrow("WG-TJ") == ["WG-TJ"]


@pytest.mark.parametrize("role", ["watcher", "resident", "community_worker"])
def test_a_community_role_covers_its_community_and_nothing_without_one(role):
    assert scope(role, community="WG-TJ").covers_community("WG-TJ")
    assert not scope(role, community="WG-TJ").covers_community("WG-RL")
    unclaimed = scope(role)
    assert not unclaimed.district and not unclaimed.covers_community("WG-TJ")
    assert unclaimed.narrow(None) == []


def test_a_street_claim_covers_every_community_of_the_street_and_narrows_a_dispatcher():
    street = scope("dispatcher", street="WG")
    assert not street.district and street.covers_street("WG") and not street.covers_street("S02")
    assert street.covers_community("WG-TJ") and street.covers_community("WG-RL")
    assert not street.covers_community("S02-C01")
    assert "WG-TJ" in street.narrow(None) and "S02-C01" not in street.narrow(None)
    assert not scope("community_worker", community="WG-TJ").covers_street("WG")


def test_a_handler_covers_the_units_of_its_token_only():
    handler = scope("handler", units=("WG-TJ-property",))
    assert handler.covers_unit("WG-TJ-property") and not handler.covers_unit("greenery")
    assert handler.covers(community_code="S02-C01", unit_id="WG-TJ-property")
    assert not handler.covers_community("WG-TJ"), "a handler sees cases by unit, not by community"
    assert not scope("handler").covers_unit("WG-TJ-property")
    assert not scope("handler", community="WG-TJ").covers_community("WG-TJ")


def test_refusals_name_the_field_and_hide_what_may_not_be_seen():
    watcher = scope("watcher", community="WG-TJ")
    with pytest.raises(Forbidden) as refused:
        watcher.narrow("WG-RL")
    assert refused.value.http_status == 403 and refused.value.field == "community_code"
    with pytest.raises(Forbidden) as refused:
        watcher.require_unit("greenery")
    assert refused.value.field == "unit_id"
    with pytest.raises(NotFound) as hidden:
        watcher.reveal(watcher.covers_community("WG-RL"), "case_id", "case 7")
    assert hidden.value.http_status == 404 and hidden.value.field == "case_id"
    assert hidden.value.message == "no case 7 that you may see"
