"""Recorded streams (tests/streams/) replayed into a fresh system: the state and the output of each service.

The streams were recorded from the running system by `python -m tests.streams.record`. A replay runs the services
that should react; the stream's events from services left out stand for what those services decided then.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from services import definition_of
from services.dispatch.context import DispatchContext
from services.dispatch.handlers.sweeper import sweep_overdue
from shared.clock import ManualClock
from shared.events.structured import read_stream
from shared.reference import ReferenceBundle
from tests.support.replay import STREAMS, dump, replay_stream, wait_until_idle

# Deliver at any hour, and have an SMS gateway configured (nothing listens there: the messages are planned and
# their text rendered, which is what these tests look at; delivery itself is notify's own tests' business).
NOTIFY = {
    "quiet_hours_default": "00:00-00:00",
    "worker_poll_seconds": 0.1,
    "sms_gateway_url": "http://127.0.0.1:9/sms",
}
PATROL_ONLY = {"/services/patrol"}


def recorded(stream: str, event_type: str) -> list[dict]:
    return [event for event in read_stream(STREAMS / stream) if event["type"] == event_type]


async def deliveries(admin_db, causes: list[dict]) -> list[dict]:
    """What notify planned (and perhaps sent) because of these events."""
    rows = await admin_db.fetch(
        "SELECT recipient_id, channel, status, body, purpose FROM notify.deliveries WHERE cause_event_id = ANY($1)",
        [uuid.UUID(event["id"]) for event in causes],
    )
    return [dict(row) for row in rows]


async def test_old_mas_story_ends_with_every_report_closed_every_unit_told_and_old_ma_told(
    infra, amqp, topology, run_service, admin_db
):
    reports = [
        uuid.UUID(event["data"]["report_id"]) for event in recorded("old-ma-story.jsonl", "hazard.reported")
    ]
    old_ma = recorded("old-ma-story.jsonl", "watcher.registered")[0]["data"]["watcher_id"]
    async with replay_stream(
        "old-ma-story.jsonl",
        services=[definition_of("patrol"), definition_of("notify")],
        settings={"notify": NOTIFY},
        run_service=run_service,
        amqp=amqp,
        topology=topology,
        admin_db=admin_db,
    ) as system:
        for report in reports:
            latest = await admin_db.fetchval(
                """SELECT h.status FROM patrol.case_reports r JOIN patrol.case_history h USING (case_id)
                   WHERE r.report_id = $1 ORDER BY h.occurred_at DESC, h.precedence DESC LIMIT 1""",
                report,
            )
            assert latest == "closed", f"report {report} ended {latest}"
        told_units = await deliveries(admin_db, recorded("old-ma-story.jsonl", "dispatch.assigned"))
        assert sorted(d["recipient_id"] for d in told_units) == [
            "unit:WG-TJ-property",
            "unit:greenery",
            "unit:municipal-maintenance",
        ]
        assert {d["status"] for d in told_units} == {"sent"}, told_units
        told_old_ma = [
            d
            for d in await deliveries(admin_db, recorded("old-ma-story.jsonl", "issue.resolved"))
            if d["recipient_id"] == old_ma
        ]
        assert len(told_old_ma) == 3
        assert any("纸箱已清理" in d["body"] for d in told_old_ma)
        sent = system.produced_of("notification.sent")
        assert len(sent) >= 3, dump(system.produced)


async def test_a_duplicate_report_merges_into_the_open_case_and_its_reporter_hears_of_it(
    infra, amqp, topology, run_service, admin_db
):
    first, second = recorded("duplicate-report.jsonl", "hazard.reported")
    async with replay_stream(
        "duplicate-report.jsonl",
        services=[definition_of("dispatch"), definition_of("notify")],
        sources=PATROL_ONLY,
        settings={"notify": NOTIFY},
        run_service=run_service,
        amqp=amqp,
        topology=topology,
        admin_db=admin_db,
    ) as system:
        cases = await admin_db.fetch(
            "SELECT DISTINCT case_id FROM dispatch.reports WHERE report_id = ANY($1)",
            [uuid.UUID(first["data"]["report_id"]), uuid.UUID(second["data"]["report_id"])],
        )
        assert len(cases) == 1, "both reports are in one case"
        assert len(system.produced_of("dispatch.assigned")) == 1, dump(system.produced)
        [merged] = system.produced_of("hazard.merged")
        assert merged["data"]["report_id"] == second["data"]["report_id"]
        assert merged["data"]["primary_report_id"] == first["data"]["report_id"]
        second_reporter = second["data"]["reporter"]["id"]
        assert [d["recipient_id"] for d in await deliveries(admin_db, [merged])] == [second_reporter]


async def test_an_overdue_case_escalates_to_the_street_office_which_is_told(
    infra, amqp, topology, run_service, settings_for, admin_db
):
    [report] = recorded("overdue-case.jsonl", "hazard.reported")
    dispatch = definition_of("dispatch")
    settings = settings_for(dispatch, load_reference_on_start=True)
    clock = ManualClock(start=report_time(report))
    context = DispatchContext(settings=settings, clock=clock, bundle=ReferenceBundle.load())
    async with replay_stream(
        "overdue-case.jsonl",
        services=[dispatch, definition_of("notify")],
        sources=PATROL_ONLY,
        contexts={"dispatch": context},
        settings={"notify": NOTIFY},
        run_service=run_service,
        amqp=amqp,
        topology=topology,
        admin_db=admin_db,
    ) as system:
        [assigned] = system.produced_of("dispatch.assigned")
        assert system.produced_of("dispatch.escalated") == []
        clock.set(report_time(assigned, "deadline") + timedelta(minutes=1))
        runtime = system.runtimes["dispatch"]
        case_id = assigned["data"]["case_id"]

        def escalations() -> list[dict]:
            return [
                e for e in system.produced if e["type"] == "dispatch.escalated" and e["subject"] == case_id
            ]

        await sweep_overdue(runtime.pool, context, dispatch.source)
        await wait_until_idle(admin_db, system.runtimes, system.produced)
        [escalated] = escalations()
        assert (escalated["data"]["level"], escalated["data"]["escalated_to"]) == ("street", "WG-office")
        await sweep_overdue(runtime.pool, context, dispatch.source)  # once per level, however often it sweeps
        await wait_until_idle(admin_db, system.runtimes, system.produced)
        assert len(escalations()) == 1
        told = await admin_db.fetch(
            "SELECT recipient_id FROM notify.deliveries WHERE cause_event_id = $1", uuid.UUID(escalated["id"])
        )
        assert [row["recipient_id"] for row in told] == ["unit:WG-office"]


async def test_a_reserve_candidate_appointed_after_training_is_told_of_the_place_and_the_post(
    infra, amqp, topology, run_service, admin_db
):
    [appointed] = recorded("reserve-candidate-appointed.jsonl", "reserve.candidate.appointed")
    candidate = appointed["data"]["candidate_id"]
    async with replay_stream(
        "reserve-candidate-appointed.jsonl",
        services=[definition_of("notify")],
        settings={"notify": NOTIFY},
        run_service=run_service,
        amqp=amqp,
        topology=topology,
        admin_db=admin_db,
    ):
        known = await admin_db.fetchval(
            "SELECT display_name FROM notify.recipients WHERE recipient_id = $1", candidate
        )
        assert known == "刘晓雯"
        confirmed = await deliveries(
            admin_db, recorded("reserve-candidate-appointed.jsonl", "training.enrolment.confirmed")
        )
        assert [d["recipient_id"] for d in confirmed if d["purpose"] == "notice"] == [candidate]
        told = await deliveries(admin_db, [appointed])
        assert [d["recipient_id"] for d in told] == [candidate]
        assert "社区党委书记" in told[0]["body"]


def report_time(event: dict, field: str | None = None):
    from datetime import datetime

    return datetime.fromisoformat(event["data"][field] if field else event["time"])
