"""What became of every acknowledged report, read from the services' own tables after the run, as a Jepsen
checker reads its history: each must exist once, have exactly one case, one `dispatch.assigned` and one notice
delivered to the webhook receiver. Missing is lost; more than one is a duplicated effect. Reports the client was
never told about (it gave up) may or may not exist: nothing is asked of them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import asyncpg

from bench.observe import Tracker
from shared.messaging.connection import connect
from shared.messaging.topology import Topology

STAGES = ("report", "case", "assigned", "notice")


@dataclass
class Evidence:
    patrol_reports: set[str] = field(default_factory=set)
    hazard_events: Counter[str] = field(default_factory=Counter)  # report id → hazard.reported rows
    cases: Counter[str] = field(default_factory=Counter)  # primary report id → cases
    assigned: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # report → event ids
    sent_notices: Counter[str] = field(default_factory=Counter)  # dispatch.assigned id → notices sent
    failed_notices: int = 0
    unpublished: dict[str, int] = field(default_factory=dict)  # service → outbox rows waiting
    pending_notices: int = 0


async def read_evidence(database_url: str, services: tuple[str, ...]) -> Evidence:
    found = Evidence()
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        found.patrol_reports = {
            str(r["report_id"]) for r in await conn.fetch("SELECT report_id FROM patrol.reports")
        }
        for row in await conn.fetch(
            "SELECT data->>'report_id' AS report_id, count(*) AS n FROM patrol.outbox"
            " WHERE event_type = 'hazard.reported' GROUP BY 1"
        ):
            found.hazard_events[row["report_id"]] = row["n"]
        for row in await conn.fetch("SELECT primary_report_id, count(*) AS n FROM dispatch.cases GROUP BY 1"):
            found.cases[str(row["primary_report_id"])] = row["n"]
        for row in await conn.fetch(
            "SELECT event_id, jsonb_array_elements_text(data->'report_ids') AS report_id FROM dispatch.outbox"
            " WHERE event_type = 'dispatch.assigned'"
        ):
            found.assigned[row["report_id"]].add(str(row["event_id"]))
        for row in await conn.fetch(
            "SELECT cause_event_id, status, count(*) AS n FROM notify.deliveries"
            " WHERE cause_event_type = 'dispatch.assigned' AND purpose = 'notice' GROUP BY 1, 2"
        ):
            if row["status"] == "sent":
                found.sent_notices[str(row["cause_event_id"])] += row["n"]
            elif row["status"] == "failed":
                found.failed_notices += row["n"]
            else:
                found.pending_notices += row["n"]
        for service in services:
            found.unpublished[service] = await conn.fetchval(
                f"SELECT count(*) FROM {service}.outbox WHERE published_at IS NULL AND NOT unroutable"
            )
    finally:
        await conn.close()
    return found


def judge(evidence: Evidence, acknowledged: dict[str, str], offered: list[str], sink: Tracker) -> dict:
    """`acknowledged`: report id → the feed that made it ("http" or "outbox"); `offered`: every report tried."""
    lost: Counter[str] = Counter()
    duplicated: Counter[str] = Counter()
    wrong: list[dict[str, object]] = []
    exactly_once = 0
    for report_id, feed in acknowledged.items():
        made = evidence.hazard_events[report_id] and (feed != "http" or report_id in evidence.patrol_reports)
        counts = {
            "report": evidence.hazard_events[report_id] if made else 0,
            "case": evidence.cases[report_id],
            "assigned": len(evidence.assigned.get(report_id, ())),
            "notice": len(delivered(report_id, evidence, sink)),
        }
        for stage, count in counts.items():
            if count == 0:
                lost[stage] += 1
            elif count > 1:
                duplicated[stage] += 1
        if all(count == 1 for count in counts.values()):
            exactly_once += 1
        elif len(wrong) < 20:
            wrong.append(
                {
                    "report_id": report_id,
                    "feed": feed,
                    "in_patrol_reports": report_id in evidence.patrol_reports,
                    "hazard_reported_rows": evidence.hazard_events[report_id],
                    **counts,
                }
            )
    calls = Counter(delivery for events in sink.deliveries.values() for delivery, _ in events)
    unacknowledged = [r for r in offered if r not in acknowledged]
    return {
        "offered": len(offered),
        "acknowledged": len(acknowledged),
        "not_acknowledged": len(unacknowledged),
        "not_acknowledged_but_made": sum(1 for r in unacknowledged if evidence.hazard_events[r]),
        "exactly_once": exactly_once,
        "lost": {stage: lost[stage] for stage in STAGES},
        "duplicated": {stage: duplicated[stage] for stage in STAGES},
        "notices_sent_in_notify": sum(evidence.sent_notices.values()),
        "notices_failed": evidence.failed_notices,
        "notices_pending": evidence.pending_notices,
        "webhook_calls": sum(calls.values()),
        "webhook_calls_repeated": sum(n - 1 for n in calls.values()),  # same delivery id: the receiver dedups
        "outbox_unpublished": evidence.unpublished,
        "not_exactly_once_examples": wrong,
    }


def delivered(report_id: str, evidence: Evidence, sink: Tracker) -> set[str]:
    """The distinct notices (delivery ids) the webhook receiver got about this report's assignment."""
    return {
        delivery
        for event_id in evidence.assigned.get(report_id, ())
        for delivery, _ in sink.deliveries.get(event_id, ())
    }


def first_delivery_at(report_id: str, evidence: Evidence, sink: Tracker) -> float | None:
    times = [
        at for event_id in evidence.assigned.get(report_id, ()) for _, at in sink.deliveries.get(event_id, ())
    ]
    return min(times) if times else None


async def dead_letters(rabbitmq_url: str, topology: Topology, services: tuple[str, ...]) -> dict[str, int]:
    """Messages in each service's dead-letter queue (passive declares: any node of a cluster answers)."""
    counts: dict[str, int] = {}
    connection = await connect(rabbitmq_url)
    try:
        for service in services:
            channel = await connection.channel()
            queue = await channel.declare_queue(topology.dead_letter_queue(service), passive=True)
            counts[service] = queue.declaration_result.message_count or 0
            await channel.close()
    finally:
        await connection.close()
    return counts


def violations(verdict: dict, dead: dict[str, int], readiness: dict[str, int | str]) -> list[str]:
    found = []
    for stage, n in verdict["lost"].items():
        if n:
            found.append(f"{n} acknowledged reports lost at {stage}")
    for stage, n in verdict["duplicated"].items():
        if n:
            found.append(f"{n} acknowledged reports with a duplicated {stage}")
    if sum(dead.values()):
        found.append(f"dead letters: {dead}")
    if verdict["notices_failed"]:
        found.append(f"{verdict['notices_failed']} notices failed")
    not_ready = {name: status for name, status in readiness.items() if status != 200}
    if not_ready:
        found.append(f"not ready at the end: {not_ready}")
    if verdict["acknowledged"] == 0:
        found.append("no report was acknowledged")
    return found
