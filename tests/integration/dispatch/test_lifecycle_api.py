"""The lifecycle over HTTP: accept, work, resolve, verify or reopen; return and reassign; every step audited."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.dispatch.helpers import START, a_report, case_of, deliver, emitted


async def _open_case(pool, context, **kwargs) -> str:
    report = a_report(**kwargs)
    await deliver(pool, context, report)
    return str((await case_of(pool, report))["case_id"])


async def test_a_case_goes_from_assigned_to_closed_when_its_reporter_verifies_the_fix(
    pool, context, client, token, clock
):
    case_id = await _open_case(pool, context, reporter="w-0007")
    handler = token("h-1", "handler", units=("WG-TJ-property",))
    for step in ("accept", "start"):
        assert (await client.post(f"/cases/{case_id}/{step}", headers=handler)).status_code == 200
    clock.advance(timedelta(hours=3))
    resolved = await client.post(
        f"/cases/{case_id}/resolve",
        headers=handler,
        json={"note": "纸箱已清理", "photo_url": "http://photos.example/after.jpg"},
    )
    assert resolved.json()["status"] == "resolved"
    closed = await client.post(f"/cases/{case_id}/verify", headers=token("w-0007", "watcher"))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    [event] = await emitted(pool, "issue.closed")
    assert event["verified_by"] == {"kind": "watcher", "id": "w-0007"} and not event["closed_automatically"]
    [accepted] = await emitted(pool, "dispatch.accepted")
    assert accepted["accepted_by"] == "h-1"
    [resolution] = await emitted(pool, "issue.resolved")
    assert resolution["photo_url"] == "http://photos.example/after.jpg"

    timeline = (await client.get(f"/cases/{case_id}/timeline", headers=token("d-1", "dispatcher"))).json()
    assert [(t["action"], t["from_status"], t["to_status"], t["actor"]) for t in timeline] == [
        ("open", None, "assigned", "dispatch"),
        ("accept", "assigned", "accepted", "h-1"),
        ("start", "accepted", "in_progress", "h-1"),
        ("resolve", "in_progress", "resolved", "h-1"),
        ("verify", "resolved", "closed", "w-0007"),
    ]
    assert timeline[3]["reason"] == "纸箱已清理"


async def test_an_invalid_action_is_a_409_naming_the_current_state_and_changes_nothing(
    pool, context, client, token
):
    case_id = await _open_case(pool, context)
    response = await client.post(
        f"/cases/{case_id}/resolve",
        headers=token("h-1", "handler", units=("WG-TJ-property",)),
        json={"note": "x"},
    )
    assert response.status_code == 409
    assert response.json()["current_status"] == "assigned"
    assert "assigned" in response.json()["detail"]
    assert await pool.fetchval("SELECT count(*) FROM case_transitions") == 1
    assert await emitted(pool, "issue.resolved") == []


async def test_a_handler_of_another_unit_may_not_act_and_bad_input_names_its_field(
    pool, context, client, token
):
    case_id = await _open_case(pool, context)
    # a case of another unit is not theirs to know of: 404, as for a case that does not exist
    hidden = await client.post(
        f"/cases/{case_id}/accept", headers=token("h-2", "handler", units=("greenery",))
    )
    assert hidden.status_code == 404 and hidden.json()["detail"] == f"no case {case_id}"
    assert (
        await client.post(f"/cases/{case_id}/accept", headers=token("d-1", "dispatcher"))
    ).status_code == 403
    assert (await client.post(f"/cases/{case_id}/accept")).status_code == 401
    no_reason = await client.post(
        f"/cases/{case_id}/return", headers=token("h-2", "handler", units=("greenery",)), json={"reason": ""}
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["loc"] == ["body", "reason"]
    unknown = await client.post(
        f"/cases/{case_id}/reassign",
        headers=token("d-1", "dispatcher"),
        json={"unit_id": "nope", "reason": "x"},
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "unit_id"
    missing = await client.get(
        "/cases/00000000-0000-0000-0000-000000000000", headers=token("d-1", "dispatcher")
    )
    assert missing.status_code == 404


async def test_a_returned_case_is_reassigned_by_a_dispatcher_with_a_fresh_deadline(
    pool, context, client, token, clock
):
    case_id = await _open_case(pool, context, category="order.suspicious")
    returned = await client.post(
        f"/cases/{case_id}/return",
        headers=token("p-1", "handler", units=("WG-police",)),
        json={"reason": "不属于治安问题"},
    )
    assert returned.json()["status"] == "returned"
    clock.advance(timedelta(hours=1))
    reassigned = await client.post(
        f"/cases/{case_id}/reassign",
        headers=token("d-1", "dispatcher"),
        json={"unit_id": "WG-TJ-committee", "reason": "邻里纠纷，由社区处理"},
    )
    body = reassigned.json()
    assert body["status"] == "assigned" and body["unit_id"] == "WG-TJ-committee"
    assert body["deadline"].startswith((START + timedelta(hours=25)).isoformat()[:19])
    [event] = await emitted(pool, "dispatch.reassigned")
    assert (event["from_unit_id"], event["to_unit_id"], event["reassigned_by"]) == (
        "WG-police",
        "WG-TJ-committee",
        "d-1",
    )
    [back] = await emitted(pool, "dispatch.returned")
    assert back["reason"] == "不属于治安问题"
    assert (
        await client.post(
            f"/cases/{case_id}/accept", headers=token("c-1", "handler", units=("WG-TJ-committee",))
        )
    ).status_code == 200
    assert (
        await client.post(f"/cases/{case_id}/accept", headers=token("p-1", "handler", units=("WG-police",)))
    ).status_code == 404


async def test_a_reopened_case_goes_back_to_its_unit_with_a_new_deadline(pool, context, client, token, clock):
    case_id = await _open_case(pool, context, category="greenery.dead-branch", reporter="w-0003")
    handler = token("g-1", "handler", units=("greenery",))
    await client.post(f"/cases/{case_id}/accept", headers=handler)
    await client.post(f"/cases/{case_id}/resolve", headers=handler, json={"note": "枯枝已清除"})
    stranger = await client.post(
        f"/cases/{case_id}/reopen", headers=token("r-9", "resident", community="WG-TJ"), json={"reason": "x"}
    )
    assert stranger.status_code == 403
    clock.advance(timedelta(hours=10))
    reopened = await client.post(
        f"/cases/{case_id}/reopen", headers=token("w-0003", "watcher"), json={"reason": "还有一根枯枝"}
    )
    body = reopened.json()
    assert body["status"] == "reopened" and body["unit_id"] == "greenery" and body["reopen_count"] == 1
    [event] = await emitted(pool, "issue.reopened")
    assert event["reopened_by"] == {"kind": "watcher", "id": "w-0003"}
    assert event["deadline"].startswith((START + timedelta(hours=34)).isoformat()[:19])
    assert (
        await client.post(f"/cases/{case_id}/resolve", headers=handler, json={"note": "都清了"})
    ).status_code == 200
    assert len(await emitted(pool, "issue.resolved")) == 2


async def test_the_board_filters_sorts_by_deadline_pages_and_shows_time_left(
    pool, context, client, token, clock
):
    urgent = await _open_case(pool, context, severity="urgent", north_m=0)
    normal = await _open_case(pool, context, category="greenery.dead-branch", severity="normal", north_m=500)
    high = await _open_case(pool, context, category="facilities.manhole-cover", severity="high", north_m=900)
    dispatcher = token("d-1", "dispatcher")
    everything = (await client.get("/cases", headers=dispatcher)).json()
    assert [c["case_id"] for c in everything["items"]] == [urgent, high, normal]
    assert everything["items"][0]["remaining_seconds"] == 2 * 3600
    clock.advance(timedelta(hours=3))
    overdue = (await client.get("/cases?overdue=true", headers=dispatcher)).json()
    assert [c["case_id"] for c in overdue["items"]] == [urgent] and overdue["items"][0][
        "remaining_seconds"
    ] == -3600
    greenery = (await client.get("/cases?category=greenery.*&street_code=WG", headers=dispatcher)).json()
    assert [c["case_id"] for c in greenery["items"]] == [normal]
    page = (await client.get("/cases?limit=1&offset=1", headers=dispatcher)).json()
    assert page["total"] == 3 and [c["case_id"] for c in page["items"]] == [high]
    by_unit = (
        await client.get("/cases?unit_id=municipal-maintenance&status=assigned", headers=dispatcher)
    ).json()
    assert [c["case_id"] for c in by_unit["items"]] == [high]
    assert (await client.get("/cases", headers=token("h-1", "handler"))).status_code == 403


async def test_a_units_inbox_shows_its_open_cases_to_its_members_only(pool, context, client, token):
    mine = await _open_case(pool, context, category="facilities.manhole-cover")
    await _open_case(pool, context, category="greenery.dead-branch", north_m=300)
    inbox = await client.get(
        "/units/municipal-maintenance/cases",
        headers=token("m-1", "handler", units=("municipal-maintenance",)),
    )
    assert [c["case_id"] for c in inbox.json()["items"]] == [mine] and inbox.json()["total"] == 1
    assert (
        await client.get(
            "/units/greenery/cases", headers=token("m-1", "handler", units=("municipal-maintenance",))
        )
    ).status_code == 403
    assert (
        await client.get("/me/units", headers=token("m-1", "handler", units=("municipal-maintenance",)))
    ).json() == ["municipal-maintenance"]


async def test_a_watcher_of_another_community_may_not_verify_but_one_of_this_community_may(
    pool, context, client, token
):
    case_id = await _open_case(pool, context, reporter="w-0001")
    await pool.execute("UPDATE cases SET status = 'resolved', resolved_at = $1", START)
    elsewhere = await client.post(
        f"/cases/{case_id}/verify", headers=token("w-0050", "watcher", community="WG-RL")
    )
    assert elsewhere.status_code == 404, "another community's case is not theirs to know of"
    assert await pool.fetchval("SELECT count(*) FROM case_transitions") == 1, "a refusal writes nothing"
    here = await client.post(
        f"/cases/{case_id}/verify", headers=token("w-0051", "watcher", community="WG-TJ")
    )
    assert here.status_code == 200 and here.json()["status"] == "closed"


async def test_every_event_of_a_case_carries_the_story_of_the_report_that_opened_it(
    pool, context, client, token, clock
):
    """Commands over HTTP start no story of their own: `ops trace` on the report shows the case to its close."""
    report = a_report(reporter="w-0009")
    await deliver(pool, context, report)
    case = await case_of(pool, report)
    merged = a_report(reporter="w-0010", north_m=10)  # close by: it joins the case, and its story
    await deliver(pool, context, merged)
    handler = token("h-1", "handler", units=("WG-TJ-property",))
    for step in ("accept", "start"):
        assert (await client.post(f"/cases/{case['case_id']}/{step}", headers=handler)).status_code == 200
    await client.post(f"/cases/{case['case_id']}/resolve", headers=handler, json={"note": "已清理"})
    closed = await client.post(f"/cases/{case['case_id']}/verify", headers=token("w-0009", "watcher"))
    assert closed.status_code == 200, closed.text
    rows = await pool.fetch("SELECT event_type, correlation_id FROM outbox ORDER BY position")
    assert [row["event_type"] for row in rows] == [
        "dispatch.assigned",
        "hazard.merged",
        "dispatch.accepted",
        "issue.resolved",
        "issue.closed",
    ]
    assert {row["correlation_id"] for row in rows} == {case["correlation_id"]}
    assert case["correlation_id"] is not None
