"""A notice that could not reach a unit is never silent: notify's `notification.failed` goes on the case's
timeline, and an urgent or high case is escalated to the street office at once (the real broker in between)."""

from __future__ import annotations

import uuid

from services.dispatch.bootstrap import definition
from shared.events.catalogue.notification import NotificationFailed
from shared.events.envelope import new_envelope
from tests.integration.dispatch.helpers import START, a_report, bind_sink, case_of, publish
from tests.support.waiting import eventually

NOTIFY = "/services/notify"


def failed_notice(cause_event_id: uuid.UUID, recipient_id: str) -> NotificationFailed:
    return NotificationFailed(
        notification_id=uuid.uuid4(),
        recipient_id=recipient_id,
        channel="webhook",
        cause_event_id=cause_event_id,
        cause_event_type="dispatch.assigned",
        attempts=5,
        reason="transient: HTTP 503: unavailable",
        failed_at=START,
    )


async def _assigned_event(pool, case) -> uuid.UUID:
    return await pool.fetchval(
        "SELECT event_id FROM outbox WHERE event_type = 'dispatch.assigned' AND subject = $1",
        str(case["case_id"]),
    )


async def _timeline(pool, case) -> list[tuple[str, str, str]]:
    rows = await pool.fetch(
        "SELECT action, actor, reason FROM case_transitions WHERE case_id = $1 ORDER BY transition_id",
        case["case_id"],
    )
    return [(row["action"], row["actor"], row["reason"] or "") for row in rows]


async def test_an_unreachable_unit_is_noted_and_an_urgent_case_escalated_to_the_street_office_once(
    infra, amqp, topology, run_service, pool, context
):
    await bind_sink(amqp, topology)
    urgent = a_report("fire.balcony-storage", severity="urgent")
    low = a_report("greenery.dead-branch", severity="low", north_m=500)
    async with run_service(definition(), context=context):
        await publish(amqp, topology, urgent)
        await publish(amqp, topology, low)
        await eventually(lambda: case_of(pool, urgent), what="the urgent case")
        await eventually(lambda: case_of(pool, low), what="the low case")
        urgent_case, low_case = await case_of(pool, urgent), await case_of(pool, low)
        for case in (urgent_case, low_case):
            notice = failed_notice(await _assigned_event(pool, case), f"unit:{case['unit_id']}")
            await publish(amqp, topology, notice, new_envelope(notice, source=NOTIFY))
        again = failed_notice(await _assigned_event(pool, urgent_case), f"unit:{urgent_case['unit_id']}")
        await publish(amqp, topology, again, new_envelope(again, source=NOTIFY))  # another channel failed too
        person = failed_notice(await _assigned_event(pool, urgent_case), "w-0001")
        await publish(amqp, topology, person, new_envelope(person, source=NOTIFY))

        async def noted() -> bool:
            notes = [entry for entry in await _timeline(pool, urgent_case) if entry[0] == "note"]
            return len(notes) == 2 and any(e[0] == "note" for e in await _timeline(pool, low_case))

        await eventually(noted, what="both cases' notes")

    urgent_after, low_after = await case_of(pool, urgent), await case_of(pool, low)
    assert (urgent_after["escalation_level"], urgent_after["escalated_to"]) == ("street", "WG-office")
    timeline = await _timeline(pool, urgent_case)
    escalations = [entry for entry in timeline if entry[0] == "escalate"]
    assert len(escalations) == 1, timeline
    assert escalations[0][1] == "notify"
    assert escalations[0][2] == "the unit could not be reached: escalated to street (WG-office)"
    notes = [entry for entry in timeline if entry[0] == "note"]
    assert all(
        note[2].startswith(f"the unit could not be reached: {urgent_case['unit_id']}") for note in notes
    )
    escalated = await pool.fetch("SELECT data FROM outbox WHERE event_type = 'dispatch.escalated'")
    assert len(escalated) == 1
    row = await pool.fetchrow("SELECT correlation_id FROM outbox WHERE event_type = 'dispatch.escalated'")
    assert row["correlation_id"] == urgent_case["correlation_id"], (
        "the escalation continues the report's story"
    )

    assert low_after["escalation_level"] == "unit", "a low case is only noted"
    assert [entry[0] for entry in await _timeline(pool, low_case)].count("note") == 1
