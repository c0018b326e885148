"""Statistics match a small example computed by hand."""

from __future__ import annotations

from datetime import timedelta

from services.dispatch.handlers import actions
from services.dispatch.handlers.statistics import statistics
from shared.auth import Principal
from shared.unit_of_work import unit_of_work
from tests.integration.dispatch.helpers import DISPATCH, START, a_report, case_of, deliver

ADMIN = Principal("a-1", frozenset({"admin"}))


async def _case(pool, context, category, north_m):
    report = a_report(category, north_m=north_m, severity="high")  # 24 hours to resolve
    await deliver(pool, context, report)
    return (await case_of(pool, report))["case_id"]


async def _do(pool, context, clock, hours, command, case_id, *args):
    clock.set(START + timedelta(hours=hours))
    async with unit_of_work(pool, DISPATCH, context) as uow:
        await command(uow, case_id, ADMIN, *args)


async def test_statistics_by_category_match_a_hand_computed_example(pool, context, clock, client, token):
    a, b, c, d = [await _case(pool, context, "fire.balcony-storage", 100 * n) for n in range(4)]
    f = await _case(pool, context, "greenery.dead-branch", 0)
    cancelled = await _case(pool, context, "fire.balcony-storage", 900)
    await pool.execute("UPDATE cases SET status = 'cancelled' WHERE case_id = $1", cancelled)
    for case_id in (a, b, c, f):
        await _do(pool, context, clock, 0.5, actions.accept, case_id)
    await _do(pool, context, clock, 1, actions.resolve, f, "枯枝已清除", None)  # 1 h
    await _do(pool, context, clock, 2, actions.resolve, a, "已清理", None)  # 2 h, in time
    await _do(pool, context, clock, 4, actions.resolve, c, "已清理", None)
    await _do(pool, context, clock, 5, actions.reopen, c, "没清干净")  # new deadline: 29 h
    await _do(pool, context, clock, 10, actions.resolve, c, "清干净了", None)  # 10 h, in time
    await _do(pool, context, clock, 30, actions.resolve, b, "已清理", None)  # 30 h, late
    for case_id in (a, b, c, f):
        await _do(pool, context, clock, 31, actions.verify, case_id)
    clock.set(START + timedelta(hours=40))  # d is still assigned, 16 hours overdue

    rows = {row["key"]: row for row in await statistics(pool, "category", clock.now())}
    fire = rows["fire.balcony-storage"]
    # a, b, c, d (the cancelled case does not count); d is open and overdue; a, b, c are closed
    assert (fire["cases"], fire["open"], fire["overdue"], fire["resolved"], fire["closed"]) == (4, 1, 1, 0, 3)
    # hours to resolve 2, 10, 30: median 10; 90th percentile 10 + 0.8 × (30 − 10) = 26
    assert fire["median_hours_to_resolve"] == 10.0
    assert abs(fire["p90_hours_to_resolve"] - 26.0) < 1e-9
    assert abs(fire["closed_within_deadline"] - 2 / 3) < 1e-9  # a and c; b was late
    assert abs(fire["reopen_rate"] - 1 / 3) < 1e-9  # c of a, b, c
    green = rows["greenery.dead-branch"]
    assert (green["cases"], green["closed"], green["median_hours_to_resolve"]) == (1, 1, 1.0)
    assert (green["closed_within_deadline"], green["reopen_rate"]) == (1.0, 0.0)

    by_unit = (await client.get("/statistics?by=unit", headers=token("d-1", "dispatcher"))).json()
    assert {row["key"]: row["cases"] for row in by_unit} == {"WG-TJ-property": 4, "greenery": 1}
    by_community = (await client.get("/statistics?by=community", headers=token("d-1", "dispatcher"))).json()
    assert [(row["key"], row["cases"], row["closed"]) for row in by_community] == [("WG-TJ", 5, 4)]
    wrong = await client.get("/statistics?by=grid", headers=token("d-1", "dispatcher"))
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == ["query", "by"]
