"""A watcher's own API: my shifts, start a patrol where I stand, log notes, end it; one open patrol at a time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from services.patrol.handlers.patrols import current_patrol_id, link_report
from shared.db.pool import connect

IN_TUANJIE = {"lat": 41.782, "lon": 123.452}
OUTSIDE = {"lat": 39.9042, "lon": 116.4074}  # Beijing


async def _watcher(service, phone: str = "13812345678") -> str:
    body = {"display_name": "老马", "phone": phone, "community_code": "WG-TJ"}
    answer = await service.client.post("/watchers", json=body, headers=service.token("d-1", "dispatcher"))
    assert answer.status_code == 201, answer.text
    return answer.json()["watcher_id"]


async def test_a_patrol_starts_where_the_watcher_stands_logs_notes_and_ends_with_its_counts(
    watcher_service, watcher_published, infra
):
    watcher_id = await _watcher(watcher_service)
    me = watcher_service.token(watcher_id, "watcher")
    started = await watcher_service.client.post("/me/patrols", json={"location": IN_TUANJIE}, headers=me)
    assert started.status_code == 201, started.text
    patrol_id = started.json()["patrol_id"]
    assert started.json()["community_code"] == "WG-TJ"

    for text in ("3号楼王姐家阳台堆放纸箱，已提醒", "井盖边缘破损，需尽快维修"):
        note = await watcher_service.client.post(
            f"/me/patrols/{patrol_id}/notes", json={"text": text}, headers=me
        )
        assert note.status_code == 201, note.text
    conn = await connect(infra.database_url("patrol"), "patrol")
    try:
        async with conn.transaction():
            assert await current_patrol_id(conn, watcher_id) == patrol_id
            await link_report(conn, patrol_id, "3f1c0b7e-0000-4000-8000-000000000001", datetime.now(UTC))
    finally:
        await conn.close()

    watcher_service.context.clock.advance(timedelta(minutes=45))
    ended = await watcher_service.client.post(
        f"/me/patrols/{patrol_id}/end", json={"location": IN_TUANJIE}, headers=me
    )
    assert ended.status_code == 200, ended.text
    assert (ended.json()["notes_recorded"], ended.json()["reports_made"]) == (2, 1)
    log = await watcher_service.client.get(f"/me/patrols/{patrol_id}", headers=me)
    assert [n["text"] for n in log.json()["notes"]][1] == "井盖边缘破损，需尽快维修"

    events = {kind: data for kind, data in await watcher_published() if kind.startswith("patrol.")}
    assert events["patrol.started"]["community_code"] == "WG-TJ"
    assert events["patrol.started"]["location"]["lat"] == IN_TUANJIE["lat"]
    assert (events["patrol.ended"]["notes_recorded"], events["patrol.ended"]["reports_made"]) == (2, 1)


async def test_a_watcher_has_one_open_patrol_at_a_time_even_when_two_starts_race(watcher_service, admin_db):
    watcher_id = await _watcher(watcher_service)
    me = watcher_service.token(watcher_id, "watcher")
    answers = await asyncio.gather(
        *(
            watcher_service.client.post("/me/patrols", json={"location": IN_TUANJIE}, headers=me)
            for _ in range(2)
        )
    )
    assert sorted(answer.status_code for answer in answers) == [201, 409]
    [refused] = [answer for answer in answers if answer.status_code == 409]
    assert refused.json()["state"] == "open"
    assert await admin_db.fetchval("SELECT count(*) FROM patrol.patrols WHERE ended_at IS NULL") == 1

    [opened] = [answer for answer in answers if answer.status_code == 201]
    patrol_id = opened.json()["patrol_id"]
    await watcher_service.client.post(
        f"/me/patrols/{patrol_id}/end", json={"location": IN_TUANJIE}, headers=me
    )
    late_note = await watcher_service.client.post(
        f"/me/patrols/{patrol_id}/notes", json={"text": "x"}, headers=me
    )
    ended_twice = await watcher_service.client.post(
        f"/me/patrols/{patrol_id}/end", json={"location": IN_TUANJIE}, headers=me
    )
    assert late_note.status_code == 409 and late_note.json()["state"] == "ended"
    assert ended_twice.status_code == 409
    next_round = await watcher_service.client.post("/me/patrols", json={"location": IN_TUANJIE}, headers=me)
    assert next_round.status_code == 201


async def test_a_patrol_outside_the_district_or_by_a_deactivated_watcher_is_refused(watcher_service):
    watcher_id = await _watcher(watcher_service)
    me = watcher_service.token(watcher_id, "watcher")
    outside = await watcher_service.client.post("/me/patrols", json={"location": OUTSIDE}, headers=me)
    assert outside.status_code == 422 and outside.json()["errors"][0]["loc"] == ["body", "location"]
    bad_latitude = await watcher_service.client.post(
        "/me/patrols", json={"location": {"lat": 91, "lon": 0}}, headers=me
    )
    assert bad_latitude.status_code == 422 and bad_latitude.json()["errors"][0]["loc"] == [
        "body",
        "location",
        "lat",
    ]

    await watcher_service.client.post(
        f"/watchers/{watcher_id}/deactivate",
        json={"reason": "退出"},
        headers=watcher_service.token("d-1", "dispatcher"),
    )
    retired = await watcher_service.client.post("/me/patrols", json={"location": IN_TUANJIE}, headers=me)
    assert retired.status_code == 409 and retired.json()["state"] == "deactivated"


async def test_my_shifts_lists_only_mine_and_a_patrol_during_a_shift_belongs_to_it(watcher_service):
    mine, other = await _watcher(watcher_service), await _watcher(watcher_service, "13912345678")
    watcher_service.context.clock.set(datetime(2026, 10, 1, 0, 0, tzinfo=UTC))  # 08:00 in Shenyang
    planner = watcher_service.token("cw-1", "community_worker", community="WG-TJ")
    for watcher_id in (mine, other):
        body = {
            "watcher_id": watcher_id,
            "starts_at": "2026-10-01T08:00:00+08:00",
            "ends_at": "2026-10-01T12:00:00+08:00",
            "occasion": "national-day",
        }
        assert (await watcher_service.client.post("/shifts", json=body, headers=planner)).status_code == 201
    me = watcher_service.token(mine, "watcher")
    shifts = (await watcher_service.client.get("/me/shifts", headers=me)).json()
    assert [shift["watcher_id"] for shift in shifts] == [mine]

    started = await watcher_service.client.post("/me/patrols", json={"location": IN_TUANJIE}, headers=me)
    assert started.json()["shift_id"] == shifts[0]["shift_id"]
    listed = await watcher_service.client.get("/patrols", params={"open": "true"}, headers=planner)
    assert [p["watcher_id"] for p in listed.json()] == [mine]
    resident = await watcher_service.client.get(
        "/me/shifts", headers=watcher_service.token("r-1", "resident")
    )
    assert resident.status_code == 403
