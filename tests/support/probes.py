"""Two small services built on the backbone, for testing it: a producer of reports and a consumer of them.

The consumer's handler reacts to the report's description so a test can make it fail on purpose:
`bug` always raises, `transient:N` fails N times as if the database were away, `slow` takes a second.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from shared.events import Event
from shared.events.catalogue.common import Location, PersonRef
from shared.events.catalogue.hazard import HazardReported
from shared.messaging.consumer import Subscription
from shared.runtime import ServiceDefinition
from shared.unit_of_work import UnitOfWork

HERE = Path(__file__).parent
transient_failures: Counter[uuid.UUID] = Counter()
attempts: Counter[tuple[str, uuid.UUID]] = Counter()  # handler calls per (consuming service, event id)


async def record_effect(uow: UnitOfWork, event: Event[HazardReported]) -> None:
    """Records one effect per handled report (a test double for a real service's handler)."""
    description = event.data.description
    attempts[uow.source, event.envelope.id] += 1
    if description == "bug":
        raise RuntimeError("a handler bug")
    if description.startswith("transient:"):
        allowed = int(description.split(":", 1)[1])
        if transient_failures[event.envelope.id] < allowed:
            transient_failures[event.envelope.id] += 1
            raise ConnectionRefusedError("database unreachable (simulated)")
    if description == "slow":
        await asyncio.sleep(1.0)
    await uow.conn.execute(
        "INSERT INTO effects (event_id, report_id, description) VALUES ($1, $2, $3)",
        event.envelope.id,
        event.data.report_id,
        description,
    )


PRODUCER = ServiceDefinition(
    name="probe_producer",
    description="Test producer",
    directory=HERE / "probe_producer",
    http_port=0,
    publishes=[HazardReported],
)
CONSUMER = ServiceDefinition(
    name="probe_consumer",
    description="Test consumer",
    directory=HERE / "probe_consumer",
    http_port=0,
    subscriptions=[Subscription(HazardReported, record_effect)],
)
# The same consumer with batching: reports that queue up may share a transaction, taken in category order.
BATCHED_CONSUMER = ServiceDefinition(
    name="probe_batched",
    description="Test consumer, batched",
    directory=HERE / "probe_consumer",
    http_port=0,
    subscriptions=[Subscription(HazardReported, record_effect, batch_key=lambda report: report.category)],
)


def a_report(description: str = "阳台堆放大量纸箱") -> HazardReported:
    return HazardReported(
        report_id=uuid.uuid4(),
        kind="hazard",
        category="fire.balcony-storage",
        description=description,
        location=Location(lat=41.8139, lon=123.4762, address="团结社区 7号楼"),
        community_code="WG-TJ",
        street_code="WG",
        severity="high",
        reporter=PersonRef(kind="watcher", id="w-0001"),
        reported_at=datetime.now(UTC),
    )


async def accept_report(uow: UnitOfWork, report: HazardReported) -> None:
    """The producer's command: store the report and its event in one transaction."""
    await uow.conn.execute(
        "INSERT INTO reports (report_id, description) VALUES ($1, $2)", report.report_id, report.description
    )
    await uow.emit(report)
