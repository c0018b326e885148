"""Near-duplicate reports join one case; every reporter hears of the fix; a dispatcher merges and splits."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.dispatch.helpers import START, a_report, case_of, deliver, emitted


async def test_a_second_report_30_m_away_merges_and_both_reporters_are_told_of_the_resolution(
    pool, context, client, token
):
    first = a_report(reporter="w-0001")
    second = a_report(north_m=30, reporter="w-0002", reported_at=START + timedelta(hours=5))
    await deliver(pool, context, first)
    await deliver(pool, context, second)
    case = await case_of(pool, first)
    assert (await case_of(pool, second))["case_id"] == case["case_id"]
    [merged] = await emitted(pool, "hazard.merged")
    assert merged["case_id"] == str(case["case_id"])
    assert merged["primary_report_id"] == str(first.report_id)
    assert merged["report_id"] == str(second.report_id) and merged["merged_by"] == "automatic"
    assert len(await emitted(pool, "dispatch.assigned")) == 1

    detail = (await client.get(f"/cases/{case['case_id']}", headers=token("d-1", "dispatcher"))).json()
    assert detail["reporter_count"] == 2
    handler = token("h-1", "handler", units=("WG-TJ-property",))
    assert (await client.post(f"/cases/{case['case_id']}/accept", headers=handler)).status_code == 200
    response = await client.post(
        f"/cases/{case['case_id']}/resolve", headers=handler, json={"note": "纸箱已清理"}
    )
    assert response.status_code == 200, response.text
    [resolved] = await emitted(pool, "issue.resolved")
    assert resolved["reporters"] == [{"kind": "watcher", "id": "w-0001"}, {"kind": "watcher", "id": "w-0002"}]
    assert sorted(resolved["report_ids"]) == sorted([str(first.report_id), str(second.report_id)])


async def test_reports_too_far_apart_too_late_or_of_another_category_do_not_merge(pool, context):
    first = a_report()
    far = a_report(north_m=80)
    late = a_report(north_m=10, reported_at=START + timedelta(hours=73))
    other = a_report("sanitation.garbage", north_m=5)
    for report in (first, far, late, other):
        await deliver(pool, context, report)
    cases = {(await case_of(pool, report))["case_id"] for report in (first, far, late, other)}
    assert len(cases) == 4
    assert await emitted(pool, "hazard.merged") == []


async def test_a_report_does_not_merge_into_a_closed_case(pool, context):
    first = a_report()
    await deliver(pool, context, first)
    await pool.execute("UPDATE cases SET status = 'closed'")
    second = a_report(north_m=10)
    await deliver(pool, context, second)
    assert (await case_of(pool, second))["case_id"] != (await case_of(pool, first))["case_id"]


async def test_a_dispatcher_merges_a_case_into_another_and_splits_a_report_out_again(
    pool, context, client, token
):
    first, second = a_report(), a_report(north_m=200, reporter="w-0002")
    await deliver(pool, context, first)
    await deliver(pool, context, second)
    keep, drop = (await case_of(pool, first))["case_id"], (await case_of(pool, second))["case_id"]
    dispatcher = token("d-1", "dispatcher")

    response = await client.post(f"/cases/{drop}/merge", headers=dispatcher, json={"into_case_id": str(keep)})
    assert response.status_code == 200, response.text
    assert response.json()["reporter_count"] == 2
    assert (await pool.fetchrow("SELECT status, merged_into FROM cases WHERE case_id = $1", drop))[
        "merged_into"
    ] == keep
    [merged] = await emitted(pool, "hazard.merged")
    assert merged["merged_by"] == "dispatcher" and merged["report_id"] == str(second.report_id)

    again = await client.post(f"/cases/{drop}/merge", headers=dispatcher, json={"into_case_id": str(keep)})
    assert again.status_code == 409 and again.json()["current_status"] == "merged"

    primary = await client.post(
        f"/cases/{keep}/split", headers=dispatcher, json={"report_id": str(first.report_id)}
    )
    assert primary.status_code == 422 and primary.json()["errors"][0]["field"] == "report_id"
    split = await client.post(
        f"/cases/{keep}/split", headers=dispatcher, json={"report_id": str(second.report_id)}
    )
    assert split.status_code == 201, split.text
    new_case = split.json()
    assert new_case["case_id"] not in (str(keep), str(drop))
    assert [r["report_id"] for r in new_case["reports"]] == [str(second.report_id)]
    assert new_case["unit_id"] == "WG-TJ-property"
    assert len(await emitted(pool, "dispatch.assigned")) == 3


async def test_near_duplicates_arriving_at_the_same_moment_open_one_case(pool, context):
    import asyncio

    reports = [a_report(north_m=n * 5, reporter=f"w-{n:04d}") for n in range(6)]
    await asyncio.gather(*(deliver(pool, context, report) for report in reports))
    assert await pool.fetchval("SELECT count(*) FROM cases") == 1
    assert len(await emitted(pool, "hazard.merged")) == 5
    assert await pool.fetchval("SELECT count(*) FROM reports WHERE case_id IS NOT NULL") == 6
