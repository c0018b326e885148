"""The article's figures load as sample data and the statistics reproduce them."""

from __future__ import annotations

from datetime import timedelta

from services.training.handlers.sample import load_sample
from shared.unit_of_work import unit_of_work
from tests.integration.training.conftest import START


async def test_the_article_figures_load_and_the_statistics_reproduce_them(api, admin_db):
    pool, context = api.runtime.pool, api.runtime.context
    async with unit_of_work(pool, "/tests", context) as uow:
        loaded = await load_sample(uow)
    assert loaded["candidates"] == 290
    stats = await api.get("/statistics")

    kinds = {kind: row["held"] for kind, row in stats["sessions_by_kind"].items()}
    assert (kinds["salon"], kinds["lecture_hall"], kinds["case_workshop"]) == (8, 7, 16)
    assert stats["sessions_by_kind"]["party_lesson"]["attendees"] > 120
    [workshop_course] = stats["courses"]
    assert (workshop_course["planned_sessions"], workshop_course["sessions"]) == (16, 16)
    assert stats["mentoring"]["studios"] == 5
    assert stats["mentoring"]["active_pairings"] > 0
    reserve = stats["reserve"]
    assert (reserve["organisations"], reserve["candidates"], reserve["target"]) == (145, 290, 290)
    assert (reserve["ratio"], reserve["below_target"]) == (2.0, [])
    [cup] = stats["competitions"]
    assert cup["registered"] > 1500 and cup["finalists"] == 20
    assert len(cup["per_street"]) == 10
    assert sum(s["finalists"] for s in cup["per_street"].values()) == 20
    assert len(stats["per_street"]) == 10
    assert sum(s["secretaries"] for s in stats["per_street"]) == 145
    assert all(s["secretaries_trained"] > 0 and s["hours"] > 0 for s in stats["per_street"])

    assert await admin_db.fetchval("SELECT count(*) FROM training.people WHERE NOT sample") == 0
    async with unit_of_work(pool, "/tests", context) as uow:
        assert await load_sample(uow) == {}, "a second load changes nothing"
    assert await admin_db.fetchval("SELECT count(*) FROM training.candidates") == 290


async def test_secretaries_trained_and_hours_are_counted_per_street(api, clock):
    await api.person("sec-wg", ["secretary"], "WG-TJ")
    await api.person("sec-s2", ["secretary"], "S02-C01")
    await api.person("worker", ["community_worker"], "WG-TJ")
    starts = START + timedelta(hours=1)
    body = {
        "kind": "lecture_hall", "title": "书记大讲堂", "place": "区委党校", "capacity": 50,
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(),
    }  # fmt: skip
    session = (await api.post("/sessions", body, expect=201)).json()["session_id"]
    clock.advance(timedelta(hours=4))
    entries = [{"person_id": "sec-wg"}, {"person_id": "worker"}, {"person_id": "sec-s2", "attended": False}]
    await api.post(f"/sessions/{session}/attendance", {"entries": entries}, expect=200)
    streets = {s["street_code"]: s for s in (await api.get("/statistics"))["per_street"]}
    assert (streets["WG"]["secretaries"], streets["WG"]["secretaries_trained"], streets["WG"]["hours"]) == (
        1,
        1,
        2.0,
    )
    assert (
        streets["S02"]["secretaries"],
        streets["S02"]["secretaries_trained"],
        streets["S02"]["hours"],
    ) == (1, 0, 0)
    assert (await api.get("/statistics"))["sessions_by_kind"]["lecture_hall"]["held"] == 1
