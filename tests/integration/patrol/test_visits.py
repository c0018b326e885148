"""Door-knocking visits (敲门行动) and caring follow-ups (暖心行动): each need found becomes a report, follow-ups
run until each need is met, a community sees only its own households, and coverage counts a quarter's visits."""

from __future__ import annotations

import uuid
from datetime import timedelta

from services.patrol.domain.visits import parse_quarter
from tests.support.waiting import eventually

WORKER = ("cw-tj", "community_worker")


async def _household(patrol, address: str | None = None, community: str = "WG-TJ") -> str:
    """A household at an address no other test uses (the patrol schema is shared by the tests of a run)."""
    address = f"{address or '7号楼2单元'} #{uuid.uuid4().hex[:8]}"
    response = await patrol.client.post(
        "/households",
        json={"community_code": community, "address_label": address},
        headers=patrol.token("cw", "community_worker", community=community),
    )
    assert response.status_code == 201, response.text
    return response.json()["household_id"]


async def _published(patrol, **wanted: int) -> dict[str, list[dict]]:
    """Everything patrol publishes until `wanted` counts arrive, by type (`household_visited=1` waits for one
    `household.visited`); the relay publishes in commit order, a moment after the commit."""
    received: dict[str, list[dict]] = {}
    want = {kind.replace("_", "."): count for kind, count in wanted.items()}

    async def arrived() -> bool:
        for kind, data in await patrol.published():
            received.setdefault(kind, []).append(data)
        return all(len(received.get(kind, [])) >= count for kind, count in want.items())

    await eventually(arrived, what=f"patrol to publish {want}")
    return received


async def _visit(patrol, household_id: str, body: dict, *, community: str = "WG-TJ", subject: str = "cw-tj"):
    return await patrol.client.post(
        f"/households/{household_id}/visits",
        json=body,
        headers=patrol.token(subject, "community_worker", community=community),
    )


NEEDS = [
    {"category": "need.elderly-care", "description": "独居老人，需要每周送餐"},
    {"category": "need.household-help", "description": "楼道灯坏了，老人夜里不敢出门", "severity": "high"},
]


async def test_each_need_found_on_a_visit_becomes_a_report_on_its_way_to_a_case(patrol):
    household_id = await _household(patrol)
    response = await _visit(patrol, household_id, {"answered": True, "notes": "王大姐在家", "needs": NEEDS})
    assert response.status_code == 201, response.text
    made = response.json()
    assert len(made["need_report_ids"]) == 2
    published = await _published(patrol, hazard_reported=2, household_visited=1)
    reported = published["hazard.reported"]
    assert sorted(r["report_id"] for r in reported) == sorted(made["need_report_ids"])
    assert {r["kind"] for r in reported} == {"need"}
    assert {r["community_code"] for r in reported} == {"WG-TJ"}
    assert all(r["location"]["address"].startswith("7号楼2单元") for r in reported)
    assert all(r["reporter"] == {"kind": "community_worker", "id": "cw-tj"} for r in reported)
    [visited] = published["household.visited"]
    assert visited["household_id"] == household_id and visited["kind"] == "door_knocking"
    assert sorted(visited["need_report_ids"]) == sorted(made["need_report_ids"])

    detail = (
        await patrol.client.get(
            f"/households/{household_id}", headers=patrol.token(*WORKER, community="WG-TJ")
        )
    ).json()
    assert detail["open_needs"] == 2 and len(detail["visits"]) == 1
    assert {need["category"] for need in detail["needs"]} == {"need.elderly-care", "need.household-help"}


async def test_caring_follow_ups_run_until_each_need_is_met(patrol):
    household_id = await _household(patrol)
    first, second = (await _visit(patrol, household_id, {"answered": True, "needs": NEEDS})).json()[
        "need_report_ids"
    ]
    followup = {
        "kind": "caring_followup",
        "answered": True,
        "followups": [
            {"report_id": first, "outcome": "met", "note": "已安排助餐"},
            {"report_id": second, "outcome": "in_progress"},
        ],
    }
    assert (await _visit(patrol, household_id, followup)).status_code == 201
    detail = (
        await patrol.client.get(
            f"/households/{household_id}", headers=patrol.token(*WORKER, community="WG-TJ")
        )
    ).json()
    assert detail["open_needs"] == 1
    assert {need["report_id"]: need["open"] for need in detail["needs"]} == {first: False, second: True}

    again = await _visit(
        patrol,
        household_id,
        {"kind": "caring_followup", "answered": True, "followups": [{"report_id": first, "outcome": "met"}]},
    )
    assert again.status_code == 422
    assert again.json()["errors"][0]["loc"] == ["body", "followups[0]", "report_id"]
    unknown = await _visit(
        patrol,
        household_id,
        {
            "kind": "caring_followup",
            "answered": True,
            "followups": [{"report_id": str(uuid.uuid4()), "outcome": "met"}],
        },
    )
    assert unknown.status_code == 422
    visited = (await _published(patrol, household_visited=2))["household.visited"]
    assert [event["met_report_ids"] for event in visited] == [[], [first]]


async def test_a_visit_nobody_answered_finds_no_need_and_a_bad_need_is_named(patrol):
    household_id = await _household(patrol)
    nobody = await _visit(patrol, household_id, {"answered": False, "needs": NEEDS[:1]})
    assert nobody.status_code == 422 and nobody.json()["errors"][0]["loc"] == ["body", "answered"]
    hazard = await _visit(
        patrol,
        household_id,
        {"answered": True, "needs": [{"category": "fire.balcony-storage", "description": "x"}]},
    )
    assert hazard.status_code == 422, hazard.text
    assert hazard.json()["errors"][0]["loc"][:2] == ["body", "needs[0]"]
    future = await _visit(
        patrol,
        household_id,
        {"answered": False, "visited_at": (patrol.context.clock.now() + timedelta(days=1)).isoformat()},
    )
    assert future.status_code == 422 and future.json()["errors"][0]["loc"] == ["body", "visited_at"]
    assert (await _visit(patrol, household_id, {"answered": False})).status_code == 201
    published = await _published(patrol, household_visited=1)
    assert "hazard.reported" not in published, "a refused visit leaves no report behind"


async def test_a_community_sees_and_visits_only_its_own_households(patrol):
    household_id = await _household(patrol)
    elsewhere = patrol.token("cw-rl", "community_worker", community="WG-RL")
    no_claim = patrol.token("cw-x", "community_worker")
    watcher_rl = patrol.token("w-rl", "watcher", community="WG-RL")
    for headers in (elsewhere, watcher_rl):
        assert (await patrol.client.get(f"/households/{household_id}", headers=headers)).status_code == 404
        visit = await patrol.client.post(
            f"/households/{household_id}/visits", json={"answered": False}, headers=headers
        )
        assert visit.status_code == 404
        listed = await patrol.client.get("/households", headers=headers)
        assert listed.status_code == 200 and listed.json()["items"] == []
    assert (await patrol.client.get(f"/households/{household_id}", headers=no_claim)).status_code == 404
    assert (await patrol.client.get("/households", headers=no_claim)).json()["items"] == []
    assert (await patrol.client.get("/statistics/visits", headers=no_claim)).json()["communities"] == []
    assert (
        await patrol.client.get("/households", params={"community_code": "WG-TJ"}, headers=elsewhere)
    ).status_code == 403
    foreign = await patrol.client.post(
        "/households", json={"community_code": "WG-TJ", "address_label": "1号楼"}, headers=elsewhere
    )
    assert foreign.status_code == 403
    resident = patrol.token("r-1", "resident", community="WG-TJ")
    assert (await patrol.client.get(f"/households/{household_id}", headers=resident)).status_code == 403
    dispatcher = patrol.token("d-1", "dispatcher")
    assert (await patrol.client.get(f"/households/{household_id}", headers=dispatcher)).status_code == 200


async def test_coverage_counts_households_visited_in_the_quarter(patrol):
    async def tuanjie() -> dict:
        response = await patrol.client.get(
            "/statistics/visits",
            params={"street_code": "WG"},
            headers=patrol.token(*WORKER, community="WG-TJ"),
        )
        assert response.status_code == 200, response.text
        [community] = response.json()["communities"]
        assert community["community_code"] == "WG-TJ"
        return community

    before = await tuanjie()
    visited = await _household(patrol, "1号楼101")
    await _household(patrol, "1号楼102")
    last_quarter = await _household(patrol, "1号楼103")
    now = patrol.context.clock.now()
    assert (await _visit(patrol, visited, {"answered": True, "needs": NEEDS[:1]})).status_code == 201
    assert (await _visit(patrol, visited, {"answered": False})).status_code == 201
    long_ago = {"answered": False, "visited_at": (now - timedelta(days=200)).isoformat()}
    assert (await _visit(patrol, last_quarter, long_ago)).status_code == 201
    after = await tuanjie()
    grown = {
        key: after[key] - before[key]
        for key in ("households", "visited", "visits", "needs_found", "needs_met")
    }
    assert grown == {"households": 3, "visited": 1, "visits": 2, "needs_found": 1, "needs_met": 0}
    assert after["coverage"] == round(after["visited"] / after["households"], 3)
    bad = await patrol.client.get(
        "/statistics/visits", params={"quarter": "2026-Q5"}, headers=patrol.token("d-1", "dispatcher")
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "quarter"]
    named = await patrol.client.get(
        "/statistics/visits",
        params={"quarter": parse_quarter(None, now.date()).label, "community_code": "WG-TJ"},
        headers=patrol.token("d-1", "dispatcher"),
    )
    assert named.json()["communities"] == [after]
