"""The console's plain rules: deadline colours, the board's scope, forgery tokens, the map, the APIs' errors."""

from __future__ import annotations

from services.console.adapters.platform import field_errors
from services.console.domain import csrf
from services.console.domain.deadlines import countdown, urgency
from services.console.domain.map import community_centres, district_map
from services.console.domain.pages import home, may_see, missing_for
from services.console.domain.scope import Scope
from shared.reference import ReferenceBundle


def test_a_deadline_turns_amber_under_a_day_red_under_two_hours_and_overdue_past_it():
    assert [urgency(s) for s in (None, 3 * 86400, 86399, 7199, -1)] == [
        "done",
        "green",
        "amber",
        "red",
        "overdue",
    ]
    assert countdown(2 * 86400 + 3 * 3600 + 15 * 60) == "2d 03:15"
    assert countdown(-42 * 60) == "-00:42"


def test_a_community_dispatcher_gets_their_own_community_whatever_the_filters_ask():
    scope = Scope(community_code="WG-TJ")
    assert scope.board_query({"community_code": "WG-RL", "status": "assigned", "evil": "x"}) == {
        "community_code": "WG-TJ",
        "status": "assigned",
    }
    assert scope.covers({"community_code": "WG-TJ", "street_code": "WG"})
    assert not scope.covers({"community_code": "WG-RL", "street_code": "WG"})
    assert Scope().board_query({"street_code": "WG", "overdue": ""}) == {"street_code": "WG"}


def test_pages_by_role():
    assert may_see(["watcher"], "/watcher") and not may_see(["watcher"], "/desk")
    assert may_see(["admin"], "/desk")
    assert home(["handler"]) == "/inbox" and home(["dispatcher"]) == "/desk"
    assert missing_for(["handler", "watcher"], {"community_code": "WG-TJ"}) == ["unit_id"]


def test_a_forgery_token_matches_its_own_seed_only():
    seed = csrf.new_seed()
    token = csrf.token_for("s" * 32, seed)
    assert csrf.is_valid("s" * 32, seed, token)
    assert not csrf.is_valid("s" * 32, csrf.new_seed(), token)
    assert not csrf.is_valid("s" * 32, seed, None) and not csrf.is_valid("s" * 32, None, token)


def test_the_map_draws_every_grid_and_pins_a_case_inside_the_picture():
    drawn = district_map(ReferenceBundle.load())
    assert len(drawn.shapes) >= 580 and drawn.height > 0
    pin = drawn.pin(
        {
            "case_id": "c-1",
            "case_number": "DD-2026-000123",
            "status": "assigned",
            "community_code": "WG-TJ",
            "category": "x",
        },
        "red",
    )
    assert pin is not None and 0 <= pin.x <= drawn.width and 0 <= pin.y <= drawn.height
    assert pin.number == "DD-2026-000123"
    assert drawn.pin({"case_id": "c-2", "status": "assigned", "community_code": "nowhere"}, "red") is None


def test_an_apis_422_names_the_form_field():
    problem = {
        "status": 422,
        "detail": "three fields",
        "errors": [
            {"loc": ["body", "description"], "field": "description", "reason": "Field required"},
            {"loc": ["body", "attribute[cover_state]"], "field": "attribute[cover_state]", "reason": "required"},
            {"loc": ["body", "photos[0]"], "field": "photos[0]", "reason": "not an image"},
        ],
    }
    assert field_errors(problem) == {
        "description": "Field required",
        "cover_state": "required",
        "photos": "not an image",
    }
    not_found = {"status": 404, "field": "report_id", "detail": "no report"}
    assert field_errors(not_found) == {"report_id": "no report"}


def test_the_language_switch_goes_back_to_a_page_of_this_site_only():
    from services.console.api.signing_in import back_to

    assert back_to("http://127.0.0.1:8005/desk?status=assigned") == "/desk?status=assigned"
    assert back_to("https://evil.example/steal") == "/steal"
    assert back_to("http://x//evil.example/") == "/"
    assert back_to(None) == "/"


def test_a_communitys_centre_lies_within_the_bounds_of_its_grid_cells():
    bundle = ReferenceBundle.load()
    lat, lon = community_centres(bundle)["WG-TJ"]
    corners = [
        point
        for grid in bundle.grids
        if grid.community_code == "WG-TJ"
        for point in grid.geometry["coordinates"][0]
    ]
    assert min(p[1] for p in corners) <= lat <= max(p[1] for p in corners)
    assert min(p[0] for p in corners) <= lon <= max(p[0] for p in corners)


def test_the_background_tiles_cover_the_whole_map_and_line_up_edge_to_edge():
    drawn = district_map(ReferenceBundle.load())
    tiles = drawn.tiles(across=4)
    assert len({tile.z for tile in tiles}) == 1 and 2 <= len({tile.x for tile in tiles}) <= 6
    assert min(t.left for t in tiles) <= 0 and max(t.left + t.width for t in tiles) >= drawn.width
    assert min(t.top for t in tiles) <= 0 and max(t.top + t.height for t in tiles) >= drawn.height
    by_place = {(t.x, t.y): t for t in tiles}
    for tile in tiles:
        right = by_place.get((tile.x + 1, tile.y))
        if right:
            assert abs(right.left - (tile.left + tile.width)) <= 0.2
