"""What makes a report acceptable, who its reporter is, and where it is."""

from __future__ import annotations

import pytest

from services.patrol.domain.places import PlaceUnknown, place_named_in, place_of_code, place_of_point
from services.patrol.domain.reports import ReportDraft, ReportRejected, check_draft, may_read, reporter_from
from shared.auth import Principal
from shared.reference import ReferenceBundle
from shared.scope import Scope, scope_of

BUNDLE = ReferenceBundle.load()
TUANJIE_GRID_1 = (41.782, 123.452)  # inside WG-TJ-G1 of the sample bundle


def test_the_severity_defaults_to_the_categorys():
    checked = check_draft(BUNDLE, ReportDraft("fire.ebike-indoor-charging", "楼道里充电"))
    assert checked.severity == "urgent" and checked.kind == "hazard"


def test_an_unknown_category_is_refused_naming_the_field():
    with pytest.raises(ReportRejected) as refused:
        check_draft(BUNDLE, ReportDraft("fire.dragon", "x"))
    assert refused.value.field == "category"


def test_a_hazard_category_cannot_be_reported_as_a_need():
    with pytest.raises(ReportRejected) as refused:
        check_draft(BUNDLE, ReportDraft("fire.balcony-storage", "x", kind="need"))
    assert refused.value.field == "kind"


def test_a_blank_description_is_refused():
    with pytest.raises(ReportRejected) as refused:
        check_draft(BUNDLE, ReportDraft("fire.balcony-storage", "   "))
    assert refused.value.field == "description"


def test_a_point_resolves_to_its_grid_community_and_street():
    place = place_of_point(BUNDLE, *TUANJIE_GRID_1)
    assert place is not None
    assert (place.grid_code, place.community_code, place.street_code) == ("WG-TJ-G1", "WG-TJ", "WG")


def test_a_point_outside_the_district_is_refused():
    with pytest.raises(PlaceUnknown) as refused:
        place_of_point(BUNDLE, 39.9, 116.4)
    assert refused.value.field == "lat"


def test_half_a_point_is_refused_naming_the_missing_half():
    with pytest.raises(PlaceUnknown) as refused:
        place_of_point(BUNDLE, 41.78, None)
    assert refused.value.field == "lon"


def test_an_address_naming_a_community_resolves_to_it():
    place = place_named_in(BUNDLE, "团结社区 7号楼 3单元")
    assert place is not None and place.community_code == "WG-TJ" and place.grid_code is None


def test_a_grid_code_is_an_address_id():
    place = place_of_code(BUNDLE, "WG-TJ-G1")
    assert place is not None and place.community_code == "WG-TJ"


def test_a_watcher_reports_as_a_watcher_and_can_stay_anonymous():
    assert reporter_from("w-1", {"watcher"}, None, anonymous=False).kind == "watcher"
    hidden = reporter_from("r-1", {"resident"}, None, anonymous=True)
    assert (hidden.kind, hidden.id, hidden.submitted_by) == ("anonymous", None, "r-1")


def test_a_list_attribute_takes_only_its_keys_and_a_required_one_must_be_given():
    draft = ReportDraft(
        "facilities.manhole-cover", "井盖", attributes={"cover_state": "loose", "extra": "dropped"}
    )
    assert check_draft(BUNDLE, draft).attributes == {"cover_state": "loose"}
    for value in ("stolen", ""):
        with pytest.raises(ReportRejected) as refused:
            check_draft(
                BUNDLE, ReportDraft("facilities.manhole-cover", "井盖", attributes={"cover_state": value})
            )
        assert refused.value.field == "attribute[cover_state]"


def test_a_report_is_read_by_its_author_dispatch_staff_and_workers_of_its_community_only():
    def who(subject: str, *roles: str, community: str | None = None, units: tuple[str, ...] = ()) -> Scope:
        principal = Principal(subject, frozenset(roles), community_code=community, unit_ids=frozenset(units))
        return scope_of(principal, BUNDLE)

    assert may_read(who("w-1", "watcher"), "w-1", "WG-TJ", None)
    assert not may_read(who("w-2", "watcher", community="WG-TJ"), "w-1", "WG-TJ", None)
    assert may_read(who("d-1", "dispatcher"), "w-1", "WG-TJ", None)
    assert may_read(who("cw-1", "community_worker", community="WG-TJ"), "w-1", "WG-TJ", None)
    assert not may_read(who("cw-2", "community_worker", community="WG-RL"), "w-1", "WG-TJ", None)


def test_a_missing_claim_reads_no_one_elses_report_and_a_handler_reads_those_of_their_unit():
    def who(subject: str, *roles: str, units: tuple[str, ...] = ()) -> Scope:
        return scope_of(Principal(subject, frozenset(roles), unit_ids=frozenset(units)), BUNDLE)

    assert not may_read(who("cw-3", "community_worker"), "w-1", "WG-TJ", None)
    assert may_read(who("h-1", "handler", units=("WG-TJ-property",)), "w-1", "WG-TJ", "WG-TJ-property")
    assert not may_read(who("h-2", "handler", units=("greenery",)), "w-1", "WG-TJ", "WG-TJ-property")
    assert not may_read(who("h-3", "handler"), "w-1", "WG-TJ", "WG-TJ-property")
