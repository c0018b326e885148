"""The sweeper escalates overdue cases one level at a time, once per level, even with two running at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from services.dispatch.handlers.sweeper import sweep_overdue
from shared.db.pool import create_pool
from tests.integration.dispatch.helpers import DISPATCH, START, a_report, case_of, deliver, emitted


async def _escalations(pool) -> list[tuple[str, str]]:
    rows = await pool.fetch("SELECT level, escalated_to FROM escalations ORDER BY escalated_at, level")
    return [tuple(row) for row in rows]


async def test_an_overdue_case_escalates_to_the_street_office_then_the_district_once_per_level(
    pool, context, clock
):
    report = a_report(severity="urgent")
    await deliver(pool, context, report)
    clock.advance(timedelta(hours=1, minutes=59))
    assert (await sweep_overdue(pool, context, DISPATCH)).escalated == 0
    clock.advance(timedelta(minutes=2))
    assert (await sweep_overdue(pool, context, DISPATCH)).escalated == 1
    assert (await sweep_overdue(pool, context, DISPATCH)).escalated == 0
    assert await _escalations(pool) == [("street", "WG-office")]
    clock.advance(timedelta(hours=2, minutes=1))
    await sweep_overdue(pool, context, DISPATCH)
    clock.advance(timedelta(days=30))
    await sweep_overdue(pool, context, DISPATCH)
    assert await _escalations(pool) == [("street", "WG-office"), ("district", "district-office")]
    events = await emitted(pool, "dispatch.escalated")
    assert [(e["level"], e["escalated_to"]) for e in events] == [
        ("street", "WG-office"),
        ("district", "district-office"),
    ]
    assert events[0]["deadline"].startswith((START + timedelta(hours=2)).isoformat()[:19])
    case = await case_of(pool, report)
    assert (case["status"], case["escalation_level"], case["escalate_at"]) == ("assigned", "district", None)


async def test_two_sweepers_running_at_once_escalate_each_case_once(infra, pool, context, clock):
    reports = [a_report(severity="urgent", north_m=100 * n) for n in range(40)]
    for report in reports:
        await deliver(pool, context, report)
    clock.advance(timedelta(hours=3))
    other = await create_pool(infra.database_url("dispatch"), "dispatch")
    try:
        results = await asyncio.gather(
            sweep_overdue(pool, context, DISPATCH), sweep_overdue(other, context, DISPATCH)
        )
    finally:
        await other.close()
    assert sum(result.escalated for result in results) == 40
    assert await pool.fetchval("SELECT count(*) FROM escalations") == 40
    assert len(await emitted(pool, "dispatch.escalated")) == 40
    assert await pool.fetchval("SELECT count(DISTINCT case_id) FROM escalations WHERE level = 'street'") == 40


async def test_a_case_the_street_office_holds_escalates_straight_to_the_district(pool, context, clock):
    await deliver(pool, context, a_report("structures.unknown", severity="urgent"))
    clock.advance(timedelta(hours=3))
    await sweep_overdue(pool, context, DISPATCH)
    assert await _escalations(pool) == [("district", "district-office")]


async def test_a_resolved_case_does_not_escalate_and_closes_itself_when_nobody_verifies_it(
    pool, context, clock
):
    report = a_report(severity="urgent")
    await deliver(pool, context, report)
    case_id = (await case_of(pool, report))["case_id"]
    clock.advance(timedelta(hours=1))
    await pool.execute(
        "UPDATE cases SET status = 'resolved', resolved_at = $2, escalate_at = NULL WHERE case_id = $1",
        case_id,
        clock.now(),
    )
    clock.advance(timedelta(days=6, hours=23))
    assert await sweep_overdue(pool, context, DISPATCH) == type(await sweep_overdue(pool, context, DISPATCH))(
        0, 0
    )
    clock.advance(timedelta(hours=1))
    assert (await sweep_overdue(pool, context, DISPATCH)).closed == 1
    assert (await case_of(pool, report))["status"] == "closed"
    [closed] = await emitted(pool, "issue.closed")
    assert closed["closed_automatically"] is True and closed["verified_by"] is None
    assert await _escalations(pool) == []


async def test_a_reassigned_case_can_escalate_again_in_its_new_cycle(pool, context, clock):
    report = a_report(severity="urgent")
    await deliver(pool, context, report)
    clock.advance(timedelta(hours=3))
    await sweep_overdue(pool, context, DISPATCH)
    from services.dispatch.handlers.actions import reassign
    from shared.auth import Principal
    from shared.unit_of_work import unit_of_work

    async with unit_of_work(pool, DISPATCH, context) as uow:
        case_id = (await case_of(pool, report))["case_id"]
        await reassign(
            uow, case_id, Principal("d-1", frozenset({"dispatcher"})), "WG-TJ-committee", "物业不管"
        )
    clock.advance(timedelta(hours=3))
    await sweep_overdue(pool, context, DISPATCH)
    rows = await pool.fetch("SELECT cycle, level FROM escalations ORDER BY cycle")
    assert [tuple(row) for row in rows] == [(1, "street"), (2, "street")]


async def test_the_running_service_sweeps_in_the_background_and_stops_sweeping_when_stopped(
    pool, run_service, clock
):
    from services.dispatch.bootstrap import definition
    from services.dispatch.context import DispatchContext, DispatchSettings
    from services.dispatch.handlers import queries
    from tests.integration.dispatch.helpers import BUNDLE
    from tests.support.waiting import eventually

    settings = DispatchSettings(
        service_name="dispatch", sweep_interval_seconds=0.1, load_reference_on_start=False
    )
    context = DispatchContext(settings=settings, clock=clock, bundle=BUNDLE)
    report = a_report(severity="urgent")
    await deliver(pool, context, report)
    clock.advance(timedelta(hours=3))
    async with run_service(definition(), context=context) as runtime:
        await eventually(lambda: _escalations(pool), what="the background sweeper to escalate")
        tasks = runtime.supervisor.tasks()
    assert tasks and all(task.done() for task in tasks)
    assert await _escalations(pool) == [("street", "WG-office")]
    async with pool.acquire() as conn:
        inbox, _ = await queries.inbox(conn, "WG-office", clock.now(), limit=50, offset=0)
    assert [case["escalated_to"] for case in inbox] == ["WG-office"]
