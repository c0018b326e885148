"""The reporter's status follows dispatch's events, replayed out of order and twice, over the real broker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.events.catalogue.common import PersonRef
from shared.events.catalogue.dispatch import (
    DispatchAccepted,
    DispatchAssigned,
    DispatchCancelled,
    DispatchEscalated,
    DispatchReassigned,
    DispatchReturned,
)
from shared.events.catalogue.hazard import HazardMerged
from shared.events.catalogue.issue import IssueClosed, IssueReopened, IssueResolved
from shared.events.envelope import encode_data
from tests.support.waiting import eventually

T0 = datetime(2026, 4, 4, 1, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 4, 5, 10, 0, tzinfo=UTC)  # 18:00 in Shenyang
UNIT = "district-office"
WATCHER = ("w-0201", "watcher")


async def _report(patrol, description: str = "楼道堆放杂物") -> str:
    patrol.context.clock.set(T0 - timedelta(minutes=1))  # reported just before dispatch acts on it
    response = await patrol.client.post(
        "/reports",
        data={
            "category": "fire.stairwell-storage",
            "description": description,
            "lat": "41.782",
            "lon": "123.452",
        },
        headers=patrol.token(*WATCHER),
    )
    assert response.status_code == 201, response.text
    return response.json()["report_id"]


async def _view(patrol, report_id: str) -> dict:
    response = await patrol.client.get(f"/reports/{report_id}", headers=patrol.token(*WATCHER))
    assert response.status_code == 200
    return response.json()


async def _settles_on(patrol, report_id: str, status: str, history_length: int) -> dict:
    seen: dict = {}

    async def settled() -> bool:
        seen.update(await _view(patrol, report_id))
        return seen["status"] == status and len(seen["history"]) == history_length

    try:
        await eventually(settled, what=f"report {report_id} to be {status} with {history_length} entries")
    except pytest.fail.Exception:
        pytest.fail(
            f"report {report_id} never became {status} with {history_length} entries; last seen {seen}"
        )
    return seen


def _story(report_id: str, case_id: uuid.UUID):
    assigned = DispatchAssigned(
        case_id=case_id,
        report_ids=[uuid.UUID(report_id)],
        unit_id=UNIT,
        category="fire.stairwell-storage",
        severity="high",
        community_code="WG-TJ",
        street_code="WG",
        deadline=DEADLINE,
        reason="rule fire.*",
        assigned_at=T0 + timedelta(minutes=5),
    )
    accepted = DispatchAccepted(
        case_id=case_id, unit_id=UNIT, accepted_by="h-1", accepted_at=T0 + timedelta(minutes=30)
    )
    resolved = IssueResolved(
        case_id=case_id,
        unit_id=UNIT,
        report_ids=[uuid.UUID(report_id)],
        reporters=[PersonRef(kind="watcher", id=WATCHER[0])],
        resolved_by="h-1",
        note="杂物已清理",
        resolved_at=T0 + timedelta(hours=3),
    )
    closed = IssueClosed(case_id=case_id, closed_at=T0 + timedelta(hours=5))
    return assigned, accepted, resolved, closed


async def test_a_replayed_stream_out_of_order_and_with_duplicates_ends_closed_with_an_ordered_history(
    patrol, admin_db
):
    report_id = await _report(patrol)
    case_id = uuid.uuid4()
    assigned, accepted, resolved, closed = _story(report_id, case_id)
    await patrol.publish(closed)
    await patrol.publish(resolved)
    first_assignment = await patrol.publish(assigned)
    await patrol.publish(accepted)
    await patrol.publish(resolved)  # the same news again under a new event id
    await patrol.publisher.publish(first_assignment, encode_data(assigned))  # a redelivered copy

    report = await _settles_on(patrol, report_id, "closed", 5)
    assert [entry["status"] for entry in report["history"]] == [
        "submitted",
        "assigned",
        "accepted",
        "resolved",
        "closed",
    ]
    assert report["history"][3]["note"] == "大东区基层治理指挥中心已处理：杂物已清理"
    assert report["unit_id"] == UNIT and report["deadline_local"] == "2026-04-05 18:00"
    assert (
        await admin_db.fetchval("SELECT count(*) FROM patrol.case_history WHERE case_id = $1", case_id) == 4
    )


async def test_an_assignment_reads_as_the_unit_and_its_local_deadline_and_a_late_older_event_does_not_win(
    patrol,
):
    report_id = await _report(patrol)
    case_id = uuid.uuid4()
    assigned, accepted, *_ = _story(report_id, case_id)
    await patrol.publish(assigned)
    report = await _settles_on(patrol, report_id, "assigned", 2)
    assert report["status_note"] == "已派给大东区基层治理指挥中心，2026-04-05 18:00前处理"
    assert report["deadline"] == "2026-04-05T18:00:00+08:00"
    refused = await patrol.client.post(
        f"/reports/{report_id}/withdraw", json={"reason": "x"}, headers=patrol.token(*WATCHER)
    )
    assert refused.status_code == 409 and refused.json()["state"] == "assigned"

    escalated = DispatchEscalated(
        case_id=case_id,
        level="street",
        escalated_to="wg-office",
        deadline=DEADLINE,
        escalated_at=DEADLINE + timedelta(minutes=1),
    )
    await patrol.publish(escalated)
    await patrol.publish(accepted)  # happened before the escalation, arrives after it
    report = await _settles_on(patrol, report_id, "escalated", 4)
    assert [entry["status"] for entry in report["history"]] == [
        "submitted",
        "assigned",
        "accepted",
        "escalated",
    ]
    mine = (await patrol.client.get("/me/reports", headers=patrol.token(*WATCHER))).json()["items"]
    assert next(r for r in mine if r["report_id"] == report_id)["status"] == "escalated"


async def test_a_case_event_that_arrives_before_its_assignment_still_lands_on_the_report(patrol):
    report_id = await _report(patrol)
    case_id = uuid.uuid4()
    assigned, *_ = _story(report_id, case_id)
    returned = DispatchReturned(
        case_id=case_id, unit_id=UNIT, reason="不归我们管", returned_at=T0 + timedelta(hours=1)
    )
    reassigned = DispatchReassigned(
        case_id=case_id,
        from_unit_id=UNIT,
        to_unit_id="fire-rescue",
        deadline=DEADLINE + timedelta(days=1),
        reason="消防",
        reassigned_by="d-1",
        reassigned_at=T0 + timedelta(hours=2),
    )
    await patrol.publish(reassigned)
    await patrol.publish(returned)
    await patrol.publish(assigned)
    report = await _settles_on(patrol, report_id, "assigned", 4)
    assert [entry["status"] for entry in report["history"]] == [
        "submitted",
        "assigned",
        "returned",
        "assigned",
    ]
    assert report["unit_id"] == "fire-rescue" and report["deadline_local"] == "2026-04-06 18:00"


async def test_a_merged_report_follows_the_case_it_joined_and_can_no_longer_be_withdrawn(patrol):
    primary = await _report(patrol, "楼道堆物 A")
    duplicate = await _report(patrol, "楼道堆物 B")
    case_id = uuid.uuid4()
    assigned, _, resolved, _ = _story(primary, case_id)
    merged = HazardMerged(
        report_id=uuid.UUID(duplicate),
        case_id=case_id,
        primary_report_id=uuid.UUID(primary),
        reporter=PersonRef(kind="watcher", id=WATCHER[0]),
        merged_at=T0 + timedelta(minutes=10),
    )
    reopened = IssueReopened(
        case_id=case_id,
        unit_id=UNIT,
        reason="还有杂物",
        reopened_by=PersonRef(kind="watcher", id=WATCHER[0]),
        deadline=DEADLINE + timedelta(days=2),
        reopened_at=T0 + timedelta(hours=4),
    )
    for event in (reopened, merged, resolved, assigned):
        await patrol.publish(event)
    report = await _settles_on(patrol, duplicate, "reopened", 5)
    assert [entry["status"] for entry in report["history"]] == [
        "submitted",
        "assigned",
        "merged",
        "resolved",
        "reopened",
    ]
    assert report["deadline_local"] == "2026-04-07 18:00"
    refused = await patrol.client.post(
        f"/reports/{duplicate}/withdraw", json={"reason": "x"}, headers=patrol.token(*WATCHER)
    )
    assert refused.status_code == 409 and refused.json()["state"] == "reopened"


async def test_a_case_cancelled_after_a_late_withdrawal_reads_cancelled_and_closed(patrol):
    report_id = await _report(patrol)
    case_id = uuid.uuid4()
    assigned, *_ = _story(report_id, case_id)
    cancelled = DispatchCancelled(
        case_id=case_id, unit_id=UNIT, reason="已自行清理", cancelled_at=T0 + timedelta(minutes=20)
    )
    await patrol.publish(cancelled)
    await patrol.publish(assigned)
    report = await _settles_on(patrol, report_id, "cancelled", 3)
    assert report["status_note"] == "报告已撤回，案件已撤销：已自行清理"
    [request] = (await patrol.client.get(f"/open311/v2/requests/{report_id}.json")).json()
    assert request["status"] == "closed"
