"""Routing against the sample bundle: the most specific rule that resolves wins; never unrouted."""

from __future__ import annotations

import pytest

from services.dispatch.domain.routing import Rule, UnitRecord, district_office, route, street_office
from shared.reference import ReferenceBundle

BUNDLE = ReferenceBundle.load()
UNITS = [UnitRecord(u.id, u.kind, u.street_code, u.community_code, u.routing_default) for u in BUNDLE.units]
RULES = [
    Rule(n, r.category, r.scope, r.scope_code, r.unit_kind, r.unit_id, r.priority)
    for n, r in enumerate(BUNDLE.routing, 1)
]


def routed(category: str, rules=RULES, community: str = "WG-TJ", street: str = "WG") -> str:
    decision = route(category, community, street, rules, UNITS)
    assert decision is not None
    return decision.unit_id


def test_the_sample_bundle_routes_the_stories_hazards_to_their_units():
    assert routed("fire.balcony-storage") == "WG-TJ-property"
    assert routed("facilities.manhole-cover") == "municipal-maintenance"
    assert routed("greenery.dead-branch") == "greenery"
    assert routed("order.suspicious") == "WG-police"
    assert routed("need.elderly-care") == "WG-TJ-committee"


def test_an_exact_category_beats_a_wildcard_of_the_same_scope():
    assert routed("fire.ebike-indoor-charging") == "fire-rescue"
    assert routed("order.dispute") == "WG-TJ-committee"


def test_a_community_rule_beats_a_district_one_and_names_itself_in_the_reason():
    local = Rule(99, "greenery.*", "community", "WG-TJ", None, "WG-TJ-property", 0)
    decision = route("greenery.dead-branch", "WG-TJ", "WG", [*RULES, local], UNITS)
    assert decision is not None and decision.unit_id == "WG-TJ-property" and "rule #99" in decision.reason
    assert routed("greenery.dead-branch", [*RULES, local], community="WG-RL") == "greenery"


def test_a_rule_that_does_not_resolve_is_skipped_for_the_next_one():
    units = [u for u in UNITS if u.id != "WG-TJ-property"]
    decision = route("fire.balcony-storage", "WG-TJ", "WG", RULES, units)
    assert decision is not None and decision.unit_id == "WG-TJ-committee"


def test_an_unmatched_category_goes_to_the_street_office_with_a_note():
    decision = route("structures.cracked-wall", "WG-TJ", "WG", RULES, UNITS)
    assert decision is not None and decision.unit_id == "WG-office" and decision.rule_id is None
    assert "no routing rule" in decision.reason


def test_an_unknown_street_has_no_route_so_the_caller_falls_back_to_the_district():
    assert route("structures.cracked-wall", "XX-1", "XX", RULES, UNITS) is None


@pytest.mark.parametrize("name", ["0", "__main__", "!", "A"])
def test_a_unit_an_admin_adds_captures_nothing_whatever_its_name_sorts_before(name):
    added = [
        UnitRecord(name, "street_office", "WG"),
        UnitRecord(name + "-dc", "district_office"),
        UnitRecord(name + "-pm", "property_company", "WG", "WG-TJ"),
        UnitRecord(name + "-gr", "greenery"),
    ]
    units = [*added, *UNITS]
    assert route("structures.cracked-wall", "WG-TJ", "WG", RULES, units).unit_id == "WG-office"
    assert route("fire.balcony-storage", "WG-TJ", "WG", RULES, units).unit_id == "WG-TJ-property"
    assert route("greenery.dead-branch", "WG-TJ", "WG", RULES, units).unit_id == "greenery"
    assert street_office("WG", units).id == "WG-office"
    assert district_office(units).id == "district-office"


def test_of_two_units_of_a_kind_in_one_place_neither_marked_neither_is_picked_by_its_id():
    units = [u for u in UNITS if u.kind != "street_office" or u.street_code != "WG"]
    units += [
        UnitRecord("WG-office-a", "street_office", "WG"),
        UnitRecord("WG-office-b", "street_office", "WG"),
    ]
    assert street_office("WG", units) is None
    marked = [*units[:-1], UnitRecord("WG-office-b", "street_office", "WG", routing_default=True)]
    assert street_office("WG", marked).id == "WG-office-b"
