"""Reports become cases routed by the rules, once, whatever the broker does; withdrawals cancel them."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

from services.dispatch.bootstrap import definition
from services.dispatch.handlers import queries
from shared.events.catalogue.hazard import HazardWithdrawn
from shared.events.envelope import new_envelope
from tests.integration.dispatch.helpers import (
    PATROL,
    START,
    a_report,
    bind_sink,
    case_of,
    deliver,
    emitted,
    publish,
)
from tests.support.queues import take_all
from tests.support.waiting import eventually


async def _published(pool) -> bool:
    return await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0


async def test_a_report_delivered_twice_opens_one_case_at_the_unit_the_rules_name_and_is_assigned_once(
    infra, amqp, topology, run_service, pool, context
):
    channel, sink = await bind_sink(amqp, topology)
    report = a_report("fire.balcony-storage")
    envelope = new_envelope(report, source=PATROL)
    async with run_service(definition(), context=context):
        await publish(amqp, topology, report, envelope)
        await publish(amqp, topology, report, envelope)
        await eventually(lambda: case_of(pool, report), what="the case to open")
        await publish(amqp, topology, report)  # the same report under a new event id
        marker = a_report("greenery.dead-branch")
        await publish(amqp, topology, marker)
        await eventually(lambda: case_of(pool, marker), what="the marker report's case")
        await eventually(lambda: _published(pool), what="the outbox to drain")
    messages = await take_all(channel, sink)
    assigned = [json.loads(m.body) for m in messages if m.routing_key == "dispatch.assigned"]
    assert [a["report_ids"] for a in assigned] == [[str(report.report_id)], [str(marker.report_id)]]
    assert assigned[0]["unit_id"] == "WG-TJ-property"
    assert "fire.*" in assigned[0]["reason"] and "property_company" in assigned[0]["reason"]
    assert assigned[1]["unit_id"] == "greenery"
    assert await pool.fetchval("SELECT count(*) FROM cases") == 2


async def test_the_deadline_follows_the_severity_and_is_on_the_assignment(pool, context):
    urgent, low = (
        a_report(severity="urgent"),
        a_report("facilities.manhole-cover", severity="low", north_m=500),
    )
    await deliver(pool, context, urgent)
    await deliver(pool, context, low)
    assert (await case_of(pool, urgent))["deadline"] == START + timedelta(hours=2)
    manhole = await case_of(pool, low)
    assert manhole["deadline"] == START + timedelta(days=7)
    assert manhole["unit_id"] == "municipal-maintenance"
    assigned = await emitted(pool, "dispatch.assigned")
    assert {a["deadline"] for a in assigned} == {
        (START + timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
        (START + timedelta(days=7)).isoformat().replace("+00:00", "Z"),
    }


async def test_a_category_no_rule_covers_lands_at_the_street_office_with_a_note(pool, context):
    report = a_report("structures.loose-balcony-tiles")
    await deliver(pool, context, report)
    case = await case_of(pool, report)
    assert case["unit_id"] == "WG-office"
    assert case["status"] == "assigned"
    [assigned] = await emitted(pool, "dispatch.assigned")
    assert assigned["unit_id"] == "WG-office"
    assert "no routing rule" in assigned["reason"]


async def test_an_exact_category_rule_beats_a_wildcard(pool, context):
    report = a_report("fire.ebike-indoor-charging")
    await deliver(pool, context, report)
    assert (await case_of(pool, report))["unit_id"] == "fire-rescue"


async def _withdraw(pool, context, report_id, reason="已自行清理"):
    from services.dispatch.handlers.intake import handle_hazard_withdrawn
    from shared.events import Event
    from shared.unit_of_work import UnitOfWork

    data = HazardWithdrawn(report_id=report_id, reason=reason, withdrawn_at=context.clock.now())
    envelope = new_envelope(data, source=PATROL)
    async with pool.acquire() as conn, conn.transaction():
        await handle_hazard_withdrawn(
            UnitOfWork(conn, "/services/dispatch", envelope, context), Event(envelope, data)
        )


async def test_a_withdrawal_cancels_a_case_no_unit_has_accepted(pool, context):
    report = a_report()
    await deliver(pool, context, report)
    await _withdraw(pool, context, report.report_id)
    case = await case_of(pool, report)
    assert case["status"] == "cancelled"
    [cancelled] = await emitted(pool, "dispatch.cancelled")
    assert cancelled["case_id"] == str(case["case_id"]) and cancelled["unit_id"] == "WG-TJ-property"
    actions = await pool.fetch("SELECT action, to_status FROM case_transitions ORDER BY transition_id")
    assert [tuple(a) for a in actions] == [("open", "assigned"), ("withdraw", "cancelled")]


async def test_a_withdrawal_after_acceptance_is_noted_and_the_case_goes_on(pool, context):
    report = a_report()
    await deliver(pool, context, report)
    await pool.execute("UPDATE cases SET status = 'accepted'")
    await _withdraw(pool, context, report.report_id)
    assert (await case_of(pool, report))["status"] == "accepted"
    assert await emitted(pool, "dispatch.cancelled") == []
    assert await pool.fetchval("SELECT reason FROM case_transitions WHERE action = 'note'") == (
        f"report {report.report_id} withdrawn: 已自行清理"
    )


async def test_a_withdrawal_that_arrives_before_its_report_means_no_case_is_opened(pool, context):
    report = a_report()
    await _withdraw(pool, context, report.report_id)
    await deliver(pool, context, report)
    assert await pool.fetchval("SELECT count(*) FROM cases") == 0
    assert await pool.fetchval(
        "SELECT withdrawn_at IS NOT NULL FROM reports WHERE report_id = $1", report.report_id
    )
    assert await emitted(pool, "dispatch.assigned") == []


async def test_a_report_without_coordinates_still_opens_a_case(pool, context):
    report = a_report(with_location=False)
    await deliver(pool, context, report)
    assert (await case_of(pool, report))["unit_id"] == "WG-TJ-property"
    assert uuid.UUID(str((await case_of(pool, report))["case_id"]))


async def test_the_service_loads_its_reference_data_at_start_and_routes_reports_sent_meanwhile(
    infra, amqp, topology, run_service, pool, clock
):
    from services.dispatch.context import DispatchContext, DispatchSettings
    from tests.integration.dispatch.helpers import BUNDLE

    await pool.execute("TRUNCATE routing_rules, unit_members, units, reference_version CASCADE")
    settings = DispatchSettings(service_name="dispatch", sweep_interval_seconds=3600)
    context = DispatchContext(settings=settings, clock=clock, bundle=BUNDLE)
    report = a_report("facilities.manhole-cover")
    async with run_service(definition(), context=context):
        await publish(amqp, topology, report)
        await eventually(lambda: case_of(pool, report), what="the report to be routed")
    assert (await case_of(pool, report))["unit_id"] == "municipal-maintenance"
    assert await pool.fetchval("SELECT version FROM reference_version") == BUNDLE.manifest.version


async def test_over_the_broker_a_withdrawal_sent_before_its_report_keeps_the_case_from_opening(
    infra, amqp, topology, run_service, pool, context
):
    report = a_report()
    withdrawal = HazardWithdrawn(report_id=report.report_id, reason="已自行清理", withdrawn_at=START)
    async with run_service(definition(), context=context):
        await publish(amqp, topology, withdrawal)
        await eventually(
            lambda: pool.fetchval("SELECT count(*) FROM withdrawals"), what="the withdrawal to be remembered"
        )
        await publish(amqp, topology, report)
        await eventually(
            lambda: pool.fetchval("SELECT count(*) FROM reports"), what="the report to be stored"
        )
    assert await pool.fetchval("SELECT withdrawn_at FROM reports") == START
    assert await pool.fetchval("SELECT count(*) FROM cases") == 0


async def test_each_case_gets_the_next_short_number_of_its_year_and_its_events_carry_it(pool, context):
    first, second = a_report(), a_report(north_m=500)
    await deliver(pool, context, first)
    await deliver(pool, context, second)
    numbers = [(await case_of(pool, report))["case_number"] for report in (first, second)]
    assert all(re.fullmatch(r"DD-2026-\d{6}", number) for number in numbers), numbers
    assert int(numbers[1][-6:]) > int(numbers[0][-6:])
    assigned = await emitted(pool, "dispatch.assigned")
    assert [event["case_number"] for event in assigned] == numbers


async def test_case_numbers_past_a_million_keep_every_digit_and_stay_unique(pool, context):
    # a district a few years old passes a million cases: the seventh digit must not be cut off (nor collide)
    before = await pool.fetchval("SELECT last_value FROM case_numbers")
    await pool.execute("SELECT setval('case_numbers', 999999)")
    try:
        first, second = a_report(), a_report(north_m=500)
        await deliver(pool, context, first)
        await deliver(pool, context, second)
        numbers = [(await case_of(pool, report))["case_number"] for report in (first, second)]
    finally:  # the sequence is no table's: the other tests' truncation does not reset it
        await pool.execute("SELECT setval('case_numbers', $1)", before)
    assert numbers == ["DD-2026-1000000", "DD-2026-1000001"]


async def test_the_answers_to_a_categorys_questions_are_shown_on_the_case(pool, context):
    report = a_report("facilities.manhole-cover").model_copy(
        update={"attributes": {"cover_state": "cracked"}}
    )
    await deliver(pool, context, report)
    case = await case_of(pool, report)
    async with pool.acquire() as conn:
        detail = await queries.case_detail(conn, case["case_id"], START)
    assert [r["attributes"] for r in detail["reports"]] == [{"cover_state": "cracked"}]
