"""Duty shifts and holiday rosters over HTTP: fair rotation, one event per shift, conflicts refused."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from services.patrol.domain.holidays import holiday_schedule
from shared.clock import DISTRICT_TIMEZONE

SLOTS = [{"start": "08:00", "end": "12:00", "watchers": 2}, {"start": "13:00", "end": "17:00", "watchers": 1}]


async def _register(
    service, count: int, community: str = "WG-TJ", first_phone: int = 13900000000
) -> list[str]:
    ids = []
    for n in range(count):
        body = {"display_name": f"守望员{n}", "phone": str(first_phone + n), "community_code": community}
        answer = await service.client.post("/watchers", json=body, headers=service.token("d-1", "dispatcher"))
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["watcher_id"])
    return ids


def _planner(service):
    return service.token("cw-1", "community_worker", street="WG")


async def test_the_national_day_roster_rotates_fairly_and_publishes_one_event_per_shift(
    watcher_service, watcher_published
):
    watchers = await _register(watcher_service, 7)
    await watcher_published()
    answer = await watcher_service.client.post(
        "/rosters",
        json={"occasion": "national-day", "year": 2026, "community_code": "WG-TJ", "slots": SLOTS},
        headers=_planner(watcher_service),
    )
    assert answer.status_code == 201, answer.text
    roster = answer.json()
    # The State Council's 2026 schedule: 1 to 7 October off; 20 September and 10 October are working days.
    assert (roster["first_day"], roster["last_day"], roster["watchers"]) == ("2026-10-01", "2026-10-07", 7)
    assert len(roster["shifts"]) == 7 * 3 and roster["estimated"] is False
    per_watcher = Counter(shift["watcher_id"] for shift in roster["shifts"])
    counts = [per_watcher[w] for w in watchers]
    assert max(counts) - min(counts) <= 1, f"no watcher has two more shifts than another: {counts}"
    first = min(roster["shifts"], key=lambda shift: shift["starts_at"])
    assert datetime.fromisoformat(first["starts_at"]) == datetime(2026, 10, 1, 8, tzinfo=DISTRICT_TIMEZONE)

    scheduled = [data for kind, data in await watcher_published() if kind == "patrol.shift.scheduled"]
    assert sorted(e["shift_id"] for e in scheduled) == sorted(s["shift_id"] for s in roster["shifts"])
    assert {e["occasion"] for e in scheduled} == {"national-day"}
    stored = await watcher_service.client.get(
        f"/rosters/{roster['roster_id']}", headers=_planner(watcher_service)
    )
    assert stored.json()["shifts_per_watcher"] == roster["shifts_per_watcher"]


async def test_successive_holiday_rosters_stay_fair_across_the_year(watcher_service):
    watchers = await _register(watcher_service, 5)
    for occasion in ("qingming", "may-day", "national-day"):
        answer = await watcher_service.client.post(
            "/rosters",
            json={"occasion": occasion, "year": 2027, "community_code": "WG-TJ", "slots": SLOTS[1:]},
            headers=_planner(watcher_service),
        )
        assert answer.status_code == 201, answer.text
    shifts = await watcher_service.client.get(
        "/shifts", params={"community_code": "WG-TJ"}, headers=_planner(watcher_service)
    )
    per_watcher = Counter(shift["watcher_id"] for shift in shifts.json())
    days = sum(
        len(holiday_schedule(occasion, 2027).days) for occasion in ("qingming", "may-day", "national-day")
    )
    assert sum(per_watcher.values()) == days
    assert max(per_watcher[w] for w in watchers) - min(per_watcher[w] for w in watchers) <= 1


async def test_the_2027_spring_festival_rosters_from_the_calendar_marked_estimated_until_published(
    watcher_service,
):
    await _register(watcher_service, 4)
    answer = await watcher_service.client.post(
        "/rosters",
        json={"occasion": "spring-festival", "year": 2027, "community_code": "WG-TJ", "slots": SLOTS[1:]},
        headers=_planner(watcher_service),
    )
    assert answer.status_code == 201, answer.text
    roster = answer.json()
    # Lunar new year 2027 is 6 February; its eve, 5 February, is a statutory day since 2025.
    assert roster["first_day"] == "2027-02-05" and roster["last_day"] >= "2027-02-08"
    assert roster["estimated"] is True and roster["occasion"] == "spring-festival"


async def test_a_roster_overlapping_another_of_the_same_place_or_its_street_is_a_409(watcher_service):
    await _register(watcher_service, 3)
    body = {
        "first_day": "2026-05-01",
        "last_day": "2026-05-03",
        "community_code": "WG-TJ",
        "slots": SLOTS[1:],
    }
    headers = _planner(watcher_service)
    assert (await watcher_service.client.post("/rosters", json=body, headers=headers)).status_code == 201
    same = await watcher_service.client.post(
        "/rosters", json={**body, "first_day": "2026-05-03", "last_day": "2026-05-05"}, headers=headers
    )
    street = await watcher_service.client.post(
        "/rosters", json={**body, "community_code": None, "street_code": "WG"}, headers=headers
    )
    for answer in (same, street):
        assert answer.status_code == 409
        assert answer.json()["state"] == "rostered"


async def test_a_preview_computes_the_roster_and_saves_nothing(watcher_service, admin_db):
    await _register(watcher_service, 4)
    answer = await watcher_service.client.post(
        "/rosters",
        json={
            "occasion": "qingming",
            "year": 2026,
            "community_code": "WG-TJ",
            "slots": SLOTS,
            "preview": True,
        },
        headers=_planner(watcher_service),
    )
    assert answer.status_code == 201 and answer.json()["roster_id"] is None
    assert len(answer.json()["shifts"]) == 9
    assert await admin_db.fetchval("SELECT count(*) FROM patrol.shifts") == 0


async def test_bad_roster_requests_name_the_field(watcher_service):
    await _register(watcher_service, 1)
    headers = _planner(watcher_service)
    cases = {
        "year": {"occasion": "national-day", "year": 2100, "community_code": "WG-TJ", "slots": SLOTS[1:]},
        "community_code": {
            "occasion": "qingming",
            "year": 2026,
            "community_code": "NO-SUCH",
            "slots": SLOTS[1:],
        },
        "slots[0].watchers": {
            "occasion": "qingming",
            "year": 2026,
            "community_code": "WG-TJ",
            "slots": SLOTS,
        },
        "street_code": {"occasion": "qingming", "year": 2026, "street_code": "S99", "slots": SLOTS[1:]},
    }
    for field, body in cases.items():
        answer = await watcher_service.client.post("/rosters", json=body, headers=headers)
        assert answer.status_code == 422, (field, answer.text)
        [error] = answer.json()["errors"]
        assert error["loc"][0] == "body" and error["field"] == field


async def test_a_shift_is_scheduled_and_cancelled_once_with_its_events(watcher_service, watcher_published):
    [watcher] = await _register(watcher_service, 1)
    watcher_service.context.clock.set(datetime(2026, 9, 1, tzinfo=UTC))
    headers = _planner(watcher_service)
    body = {
        "watcher_id": watcher,
        "starts_at": "2026-10-02T08:00:00+08:00",
        "ends_at": "2026-10-02T12:00:00+08:00",
    }
    shift = await watcher_service.client.post("/shifts", json=body, headers=headers)
    assert shift.status_code == 201, shift.text
    overlapping = await watcher_service.client.post(
        "/shifts",
        json={**body, "starts_at": "2026-10-02T11:00:00+08:00", "ends_at": "2026-10-02T13:00:00+08:00"},
        headers=headers,
    )
    assert overlapping.status_code == 409 and overlapping.json()["state"] == "overlapping"
    backwards = await watcher_service.client.post(
        "/shifts", json={**body, "ends_at": "2026-10-02T07:00:00+08:00"}, headers=headers
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["loc"] == ["body", "ends_at"]

    shift_id = shift.json()["shift_id"]
    cancelled = await watcher_service.client.post(
        f"/shifts/{shift_id}/cancel", json={"reason": "台风"}, headers=headers
    )
    again = await watcher_service.client.post(
        f"/shifts/{shift_id}/cancel", json={"reason": "台风"}, headers=headers
    )
    assert cancelled.json()["status"] == "cancelled"
    assert again.status_code == 409 and again.json()["state"] == "cancelled"

    published = [
        (kind, data["shift_id"]) for kind, data in await watcher_published() if kind.startswith("patrol.")
    ]
    assert published == [("patrol.shift.scheduled", shift_id), ("patrol.shift.cancelled", shift_id)]


async def test_a_street_roster_rotates_among_all_its_watchers_each_shift_in_the_watchers_own_community(
    watcher_service,
):
    tuanjie = await _register(watcher_service, 2, "WG-TJ")
    rongle = await _register(watcher_service, 2, "WG-RL", first_phone=13700000000)
    await _register(watcher_service, 2, "S02-C01", first_phone=13600000000)
    answer = await watcher_service.client.post(
        "/rosters",
        json={"first_day": "2026-06-19", "last_day": "2026-06-21", "street_code": "WG", "slots": SLOTS[1:]},
        headers=_planner(watcher_service),
    )
    assert answer.status_code == 201, answer.text
    shifts = answer.json()["shifts"]
    assert answer.json()["watchers"] == 4
    assert {s["watcher_id"] for s in shifts} <= set(tuanjie + rongle)
    community = {**dict.fromkeys(tuanjie, "WG-TJ"), **dict.fromkeys(rongle, "WG-RL")}
    assert all(s["community_code"] == community[s["watcher_id"]] for s in shifts)
