"""The reserve pool: targets per organisation, nominations, stages checked, appointment, practice credit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.events.catalogue.common import PersonRef
from shared.events.catalogue.issue import IssueResolved
from shared.events.envelope import encode_data, new_envelope
from shared.messaging.publisher import EventPublisher, confirming_channel
from tests.integration.training.conftest import DEFINITION, START, outbox
from tests.support.waiting import eventually


async def _nominate(
    api,
    person_id: str,
    organisation: str,
    channel: str = "organisation",
    nominator: str | None = None,
    **kwargs,
):
    body = {"person_id": person_id, "organisation_code": organisation, "nominated_by": channel}
    if nominator:
        body["nominator"] = nominator
    return await api.post("/reserve/nominations", body, **kwargs)


async def _candidate(api, person_id: str, organisation: str = "WG-TJ") -> str:
    await api.person(person_id, ["community_worker"], organisation)
    response = await _nominate(api, person_id, organisation, expect=201)
    return response.json()["candidate_id"]


async def test_the_reserve_ratio_and_the_below_target_list_are_right_for_a_sample_of_organisations(api):
    await _candidate(api, "tj-1", "WG-TJ")
    await _candidate(api, "tj-2", "WG-TJ")
    await _candidate(api, "rl-1", "WG-RL")
    removed = await _candidate(api, "rl-2", "WG-RL")
    await api.post(f"/reserve/candidates/{removed}/stage", {"stage": "removed", "reason": "调离"}, expect=200)

    wenguan = await api.get("/reserve/pool", street_code="WG")
    by_code = {o["code"]: o for o in wenguan["per_organisation"]}
    assert (by_code["WG-TJ"]["candidates"], by_code["WG-TJ"]["below_target"]) == (2, False)
    assert (
        by_code["WG-RL"]["candidates"],
        by_code["WG-RL"]["below_target"],
        by_code["WG-RL"]["missing"],
    ) == (1, True, 1)
    assert (by_code["WG-BY"]["candidates"], by_code["WG-BY"]["missing"]) == (0, 2)
    expected_below = sorted(code for code, o in by_code.items() if code != "WG-TJ")
    assert sorted(wenguan["below_target"]) == expected_below
    assert wenguan["candidates"] == 3
    assert wenguan["ratio"] == round(3 / len(by_code), 3)

    district = await api.get("/reserve/pool")
    assert (district["organisations"], district["target"], district["candidates"]) == (145, 290, 3)
    assert len(district["below_target"]) == 144


async def test_nominating_a_person_twice_for_one_organisation_is_refused_naming_them(api):
    await _candidate(api, "dup", "WG-TJ")
    again = await _nominate(api, "dup", "WG-TJ", "masses")
    assert again.status_code == 409
    assert again.json()["field"] == "person_id"
    assert "WG-TJ" in again.json()["detail"]
    unknown = await _nominate(api, "dup", "NOWHERE")
    assert unknown.status_code == 404 and unknown.json()["field"] == "organisation_code"
    bad_channel = await _nominate(api, "dup", "WG-RL", "friends")
    assert bad_channel.status_code == 422 and bad_channel.json()["errors"][0]["loc"][-1] == "nominated_by"


async def test_a_community_worker_may_nominate_only_themselves(api):
    await api.person("me", ["community_worker"])
    await api.person("friend", ["community_worker"])
    mine = await _nominate(api, "me", "WG-TJ", "self", headers=api.as_worker("me"))
    assert mine.status_code == 201, mine.text
    theirs = await _nominate(api, "friend", "WG-TJ", "self", headers=api.as_worker("me"))
    assert theirs.status_code == 403


@pytest.mark.parametrize("channel", ["organisation", "masses"])
async def test_a_community_worker_cannot_declare_their_own_nomination_a_recommendation(api, channel):
    await api.person("me", ["community_worker"])
    response = await _nominate(api, "me", "WG-TJ", channel, headers=api.as_worker("me"))
    assert response.status_code == 403, response.text
    assert response.json()["field"] == "nominated_by"
    recommended = await _nominate(api, "me", "WG-TJ", channel, nominator="团结社区党委")
    assert recommended.status_code == 201, recommended.text


async def test_a_candidate_moves_through_the_stages_with_each_transition_checked(api, admin_db):
    candidate = await _candidate(api, "cand", "WG-BY")
    stage = f"/reserve/candidates/{candidate}/stage"
    skip = await api.post(stage, {"stage": "ready"})
    assert skip.status_code == 409
    assert skip.json()["field"] == "stage" and "nominated" in skip.json()["detail"]
    early = await api.post(f"/reserve/candidates/{candidate}/appoint", {})
    assert early.status_code == 409 and "nominated" in early.json()["detail"]
    await api.post(stage, {"stage": "in_cultivation"}, expect=200)
    for record in (
        {
            "kind": "method",
            "method": "hands_off_practice",
            "occurred_on": "2026-04-10",
            "summary": "独立主持议事会",
        },
        {"kind": "rotation", "post": "网格员", "occurred_on": "2026-04-12", "summary": "轮岗实训一个月"},
        {"kind": "talk", "held_by": "尹雪松", "occurred_on": "2026-04-20", "summary": "谈心谈话：思想稳定"},
        {
            "kind": "review",
            "period": "2026-H1",
            "assessment": "good",
            "occurred_on": "2026-06-30",
            "summary": "良好",
        },
    ):
        await api.post(f"/reserve/candidates/{candidate}/records", record, expect=201)
    bad_method = await api.post(
        f"/reserve/candidates/{candidate}/records",
        {"kind": "method", "method": "guessing", "occurred_on": "2026-04-10", "summary": "x"},
    )
    assert bad_method.status_code == 422 and "method" in bad_method.json()["errors"][0]["loc"]
    await api.post(stage, {"stage": "ready"}, expect=200)

    await api.person("incumbent", ["secretary"], "WG-BY")
    put = await api.client.put(
        "/organisations/WG-BY/secretary", json={"person_id": "incumbent"}, headers=api.as_trainer()
    )
    assert put.status_code == 204
    occupied = await api.post(f"/reserve/candidates/{candidate}/appoint", {})
    assert occupied.status_code == 409 and occupied.json()["field"] == "organisation_code"
    vacated = await api.client.delete("/organisations/WG-BY/secretary", headers=api.token("admin-1", "admin"))
    assert vacated.status_code == 204
    await api.post(f"/reserve/candidates/{candidate}/appoint", {"post": "社区党委书记"}, expect=200)

    [appointed] = await outbox(admin_db, "reserve.candidate.appointed")
    assert (appointed["candidate_id"], appointed["organisation_code"]) == ("cand", "WG-BY")
    beiyuan = [o for o in await api.get("/organisations", street_code="WG") if o["code"] == "WG-BY"][0]
    assert beiyuan["secretary_id"] == "cand"
    assert "secretary" in (await api.get("/people/cand"))["roles"]
    assert "reserve_candidate" not in (await api.get("/people/cand"))["roles"]
    final = await api.post(stage, {"stage": "removed", "reason": "x"})
    assert final.status_code == 409 and "appointed" in final.json()["detail"]
    view = await api.get(f"/reserve/candidates/{candidate}")
    assert [r["kind"] for r in view["records"]] == ["method", "rotation", "talk", "review"]


async def test_removing_a_candidate_needs_a_reason(api):
    candidate = await _candidate(api, "r", "WG-TJ")
    response = await api.post(f"/reserve/candidates/{candidate}/stage", {"stage": "removed"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"


def _resolved(
    case_id: uuid.UUID, resolved_by: str, resolved_at: datetime = datetime(2026, 4, 5, tzinfo=UTC)
) -> IssueResolved:
    return IssueResolved(
        case_id=case_id,
        unit_id="cc-WG-TJ",
        report_ids=[uuid.uuid4()],
        reporters=[PersonRef(kind="watcher", id="w-0001")],
        resolved_by=resolved_by,
        note="纸箱已清理",
        resolved_at=resolved_at,
    )


async def test_an_issue_resolved_by_a_candidate_delivered_twice_credits_one_practice_case(
    api, amqp, topology, run_service, context_for, admin_db
):
    candidate = await _candidate(api, "cand-h", "WG-TJ")
    await api.person("not-a-candidate", ["community_worker"])
    case = uuid.uuid4()
    first = _resolved(case, "cand-h")
    twice = new_envelope(first, source="/services/dispatch")
    same_case_again = new_envelope(_resolved(case, "cand-h"), source="/services/dispatch")
    other = _resolved(uuid.uuid4(), "not-a-candidate")
    marker = _resolved(uuid.uuid4(), "cand-h")
    async with run_service(DEFINITION, context=context_for()):
        channel = await confirming_channel(amqp)
        publisher = EventPublisher(await channel.get_exchange(topology.events_exchange))
        for envelope, data in ((twice, first), (twice, first), (same_case_again, first)):
            await publisher.publish(envelope, encode_data(data))
        await publisher.publish(new_envelope(other, source="/services/dispatch"), encode_data(other))
        await publisher.publish(new_envelope(marker, source="/services/dispatch"), encode_data(marker))

        async def handled_all() -> bool:
            return await admin_db.fetchval("SELECT count(*) FROM training.inbox") == 4

        await eventually(handled_all, what="the four distinct events to be handled")
    credited = await admin_db.fetch("SELECT person_id, case_id FROM training.practice_cases ORDER BY case_id")
    assert sorted((r["person_id"], r["case_id"]) for r in credited) == sorted(
        [("cand-h", case), ("cand-h", marker.case_id)]
    )
    assert (await api.get(f"/reserve/candidates/{candidate}"))["practice_cases"] == 2


async def test_practice_credit_follows_the_time_of_the_resolution_not_the_order_events_arrive_in(
    api, amqp, topology, run_service, context_for, admin_db, clock
):
    """Nominated at START; appointed a day later. Events arrive only after the appointment."""
    candidate = await _candidate(api, "cand-t", "WG-TJ")
    await api.post(f"/reserve/candidates/{candidate}/stage", {"stage": "in_cultivation"}, expect=200)
    await api.post(f"/reserve/candidates/{candidate}/stage", {"stage": "ready"}, expect=200)
    clock.advance(timedelta(days=1))
    await api.post(f"/reserve/candidates/{candidate}/appoint", {}, expect=200)
    before_nomination = _resolved(uuid.uuid4(), "cand-t", START - timedelta(seconds=8))
    during_candidacy = _resolved(uuid.uuid4(), "cand-t", START + timedelta(hours=3))
    after_appointment = _resolved(uuid.uuid4(), "cand-t", START + timedelta(days=2))
    async with run_service(DEFINITION, context=context_for()):
        channel = await confirming_channel(amqp)
        publisher = EventPublisher(await channel.get_exchange(topology.events_exchange))
        for data in (before_nomination, during_candidacy, after_appointment):
            await publisher.publish(new_envelope(data, source="/services/dispatch"), encode_data(data))

        async def handled_all() -> bool:
            return await admin_db.fetchval("SELECT count(*) FROM training.inbox") == 3

        await eventually(handled_all, what="the three events to be handled")
    credited = await admin_db.fetch("SELECT case_id FROM training.practice_cases")
    assert [row["case_id"] for row in credited] == [during_candidacy.case_id]
