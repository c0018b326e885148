"""The sample reference bundle: Dadong's counts, the article's places, and points resolved to their grid."""

from __future__ import annotations

import pytest

from shared.reference import BundleError, ReferenceBundle, RoutingRule


@pytest.fixture(scope="module")
def bundle() -> ReferenceBundle:
    return ReferenceBundle.load()


def test_the_sample_bundle_says_it_is_sample_and_keeps_dadongs_counts(bundle):
    assert bundle.manifest.sample is True and "SAMPLE" in bundle.manifest.notice
    assert len(bundle.streets) == 10
    assert sum(o.kind == "community" for o in bundle.organisations) == 127
    assert sum(o.kind == "village" for o in bundle.organisations) == 18


def test_the_places_the_article_names_are_there(bundle):
    assert bundle.organisation("WG-TJ").name_zh == "团结社区"
    assert {bundle.organisation(code).street_code for code in ("WG-TJ", "WG-RL", "WG-BY")} == {"WG"}
    assert next(s for s in bundle.streets if s.code == "WG").name_zh == "文官街道"


def test_a_point_resolves_to_its_community_and_grid(bundle):
    tuanjie = next(g for g in bundle.grids if g.grid_code == "WG-TJ-G4")
    (west, south), _, (east, north) = tuanjie.geometry["coordinates"][0][:3]
    located = bundle.locate((south + north) / 2, (west + east) / 2)
    assert located is not None
    assert (located.community_code, located.street_code, located.grid_code) == ("WG-TJ", "WG", "WG-TJ-G4")


def test_a_point_outside_the_district_resolves_to_nothing(bundle):
    assert bundle.locate(39.9, 116.4) is None


def test_every_street_has_an_office_and_every_rule_a_known_target(bundle):
    bundle.check()
    broken = bundle.model_copy(
        update={"routing": [RoutingRule(category="fire.*", scope="district", unit_id="nobody")]}
    )
    with pytest.raises(BundleError, match="unknown unit nobody"):
        broken.check()


def test_wildcard_rules_match_by_code_prefix():
    rule = RoutingRule(category="fire.*", scope="district", unit_kind="property_company")
    assert rule.matches_category("fire.balcony-storage")
    assert not rule.matches_category("firearm.other")
