"""Sessions: the scheduled event goes out once; capacity, waiting list and promotion; cancellation; records."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from tests.integration.training.conftest import START, outbox
from tests.support.queues import take_all
from tests.support.waiting import eventually

SALON = {
    "kind": "salon",
    "title": "书记沙龙：老旧小区改造",
    "topic": "老旧小区改造",
    "place": "大东区党群服务中心",
    "starts_at": (START + timedelta(days=2)).isoformat(),
    "ends_at": (START + timedelta(days=2, hours=3)).isoformat(),
    "capacity": 2,
}


async def _schedule(api, **changes) -> str:
    response = await api.post("/sessions", SALON | changes, expect=201)
    return response.json()["session_id"]


async def test_a_scheduled_session_publishes_its_event_once(api, amqp, topology, admin_db):
    channel = await amqp.channel()
    events = await topology.declare_exchanges(channel)
    sink = await channel.declare_queue(
        topology.queue("training", "sink"), durable=True, arguments={"x-queue-type": "quorum"}
    )
    await sink.bind(events, routing_key="training.session.scheduled")
    session_id = await _schedule(api)
    received = []

    async def published() -> bool:
        received.extend(await take_all(channel, sink.name, settle=0))
        return bool(received)

    await eventually(published, what="training.session.scheduled to reach the sink")
    received.extend(await take_all(channel, sink.name, settle=0.5))
    assert [m.headers["cloudEvents_subject"] for m in received] == [session_id]
    assert (
        await admin_db.fetchval(
            "SELECT count(*) FROM training.outbox WHERE event_type = 'training.session.scheduled'"
        )
        == 1
    )


async def test_enrolment_respects_capacity_and_promotes_from_the_waiting_list_on_a_cancellation(
    api, admin_db
):
    session_id = await _schedule(api, capacity=2)
    people = [await api.person(f"w-{n}", ["community_worker"]) for n in range(1, 5)]
    statuses = []
    for person_id in people:
        response = await api.post(
            f"/sessions/{session_id}/enrolments", {"person_id": person_id}, headers=api.as_worker(person_id)
        )
        assert response.status_code == 200, response.text
        statuses.append(response.json()["status"])
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]

    cancelled = await api.client.delete(f"/sessions/{session_id}/enrolments/w-1", headers=api.as_trainer())
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json() == {"promoted": ["w-3"]}
    session = await api.get(f"/sessions/{session_id}")
    assert session["confirmed"] == ["w-2", "w-3"]
    assert session["waiting_list"] == ["w-4"]
    confirmed = [e["person_id"] for e in await outbox(admin_db, "training.enrolment.confirmed")]
    assert confirmed == ["w-1", "w-2", "w-3"]
    assert [e["person_id"] for e in await outbox(admin_db, "training.enrolment.withdrawn")] == ["w-1"]


async def test_a_waitlisted_person_withdrawing_promotes_nobody_and_a_second_enrolment_is_refused(api):
    session_id = await _schedule(api, capacity=1)
    for person_id in ("a", "b"):
        await api.person(person_id, ["community_worker"])
        await api.post(f"/sessions/{session_id}/enrolments", {"person_id": person_id}, expect=200)
    again = await api.post(f"/sessions/{session_id}/enrolments", {"person_id": "a"})
    assert again.status_code == 409 and again.json()["field"] == "person_id"
    left = await api.client.delete(f"/sessions/{session_id}/enrolments/b", headers=api.as_worker("b"))
    assert left.json() == {"promoted": []}
    assert (await api.get(f"/sessions/{session_id}"))["confirmed"] == ["a"]


async def test_a_community_worker_may_enrol_only_themselves(api):
    session_id = await _schedule(api)
    await api.person("me", ["community_worker"])
    await api.person("other", ["community_worker"])
    refused = await api.post(
        f"/sessions/{session_id}/enrolments", {"person_id": "other"}, headers=api.as_worker("me")
    )
    assert refused.status_code == 403
    assert refused.json()["field"] == "person_id"


async def test_cancelling_a_session_names_everyone_enrolled_and_closes_it(api, admin_db):
    session_id = await _schedule(api, capacity=1)
    for person_id in ("x", "y"):
        await api.person(person_id, ["community_worker"])
        await api.post(f"/sessions/{session_id}/enrolments", {"person_id": person_id}, expect=200)
    await api.post(f"/sessions/{session_id}/cancel", {"reason": "场地维修"}, expect=204)
    [event] = await outbox(admin_db, "training.session.cancelled")
    assert event["enrolled_person_ids"] == ["x", "y"]
    assert (event["title"], event["place"]) == (SALON["title"], SALON["place"])
    assert datetime.fromisoformat(event["starts_at"]) == datetime.fromisoformat(SALON["starts_at"])
    late = await api.post(f"/sessions/{session_id}/enrolments", {"person_id": "x"})
    assert late.status_code == 409
    assert late.json()["field"] == "status" and late.json()["detail"] == f"session {session_id} is cancelled"


async def test_bad_session_input_is_answered_naming_the_field(api):
    response = await api.post("/sessions", SALON | {"capacity": 0})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][-1] == "capacity"
    unknown = await api.post("/sessions", SALON | {"lecturer_id": "nobody"})
    assert unknown.status_code == 404 and unknown.json()["field"] == "lecturer_id"


async def test_attendance_hours_feedback_and_materials_make_up_the_training_record(api, clock, admin_db):
    await api.client.put(
        "/tracks/4-forums",
        json={
            "name": "四类课堂",
            "requirements": [{"kind": "salon", "min_sessions": 1}, {"kind": None, "min_hours": 4}],
        },
        headers=api.as_trainer(),
    )
    salon = await _schedule(api)
    await api.person("sec", ["secretary"])
    early = await api.post(f"/sessions/{salon}/attendance", {"entries": [{"person_id": "sec"}]})
    assert early.status_code == 409 and early.json()["field"] == "starts_at"
    clock.advance(timedelta(days=3))
    await api.post(f"/sessions/{salon}/attendance", {"entries": [{"person_id": "sec"}]}, expect=200)
    record = await api.get("/people/sec/record", headers=api.as_worker("sec"))
    assert (record["sessions_attended"], record["hours"], record["tracks_completed"]) == (1, 3.0, [])

    lecture = await _schedule(
        api,
        kind="lecture_hall",
        starts_at=(START + timedelta(days=3, hours=1)).isoformat(),
        ends_at=(START + timedelta(days=3, hours=2, minutes=30)).isoformat(),
    )
    clock.advance(timedelta(hours=2))
    await api.post(f"/sessions/{lecture}/attendance", {"entries": [{"person_id": "sec"}]}, expect=200)
    record = await api.get("/people/sec/record", headers=api.as_worker("sec"))
    assert (record["sessions_attended"], record["hours"], record["tracks_completed"]) == (
        2,
        4.5,
        ["4-forums"],
    )
    assert [e["hours"] for e in await outbox(admin_db, "training.attendance.recorded")] == [3.0, 1.5]

    rating = await api.post(f"/sessions/{salon}/feedback", {"rating": 6}, headers=api.as_worker("sec"))
    assert rating.status_code == 422 and rating.json()["errors"][0]["loc"][-1] == "rating"
    await api.post(f"/sessions/{salon}/feedback", {"rating": 4}, headers=api.as_worker("sec"), expect=204)
    await api.post(
        f"/sessions/{salon}/materials", {"title": "讲义", "url": "https://example.org/a.pdf"}, expect=201
    )
    session = await api.get(f"/sessions/{salon}")
    assert session["feedback"] == {"ratings": 1, "average": 4.0}
    assert session["materials"] == [{"title": "讲义", "url": "https://example.org/a.pdf"}]
    someone_else = await api.get("/people/sec/record", headers=api.as_trainer())
    assert someone_else["hours"] == 4.5
    refused = await api.client.get("/people/sec/record", headers=api.as_worker("other"))
    assert refused.status_code == 403


async def test_concurrent_enrolments_never_confirm_more_people_than_the_capacity(api):
    session_id = await _schedule(api, capacity=3)
    people = [await api.person(f"c-{n}", ["community_worker"]) for n in range(10)]

    async def enrol(person_id: str) -> str:
        response = await api.post(f"/sessions/{session_id}/enrolments", {"person_id": person_id}, expect=200)
        return response.json()["status"]

    statuses = await asyncio.gather(*(enrol(p) for p in people))
    assert sorted(statuses).count("confirmed") == 3
    session = await api.get(f"/sessions/{session_id}")
    assert len(session["confirmed"]) == 3 and len(session["waiting_list"]) == 7
