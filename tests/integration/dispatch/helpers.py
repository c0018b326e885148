"""Building reports and reading the dispatch schema in the dispatch tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg

from services.dispatch.context import DispatchContext
from services.dispatch.handlers.intake import handle_hazard_reported
from shared.events import Event
from shared.events.catalogue.common import Location, PersonRef
from shared.events.catalogue.hazard import HazardReported
from shared.events.envelope import new_envelope
from shared.reference import ReferenceBundle
from shared.unit_of_work import UnitOfWork

BUNDLE = ReferenceBundle.load()
START = datetime(2026, 4, 4, 1, 0, tzinfo=UTC)
# A point inside Tuanjie community's first grid cell (WG-TJ-G1), and one metre of latitude there.
TUANJIE = (41.7820, 123.4520)
METRE_LAT = 1 / 111_195
PATROL = "/services/patrol"
DISPATCH = "/services/dispatch"


def a_report(
    category: str = "fire.balcony-storage",
    *,
    north_m: float = 0.0,
    reporter: str = "w-0001",
    severity: str = "high",
    community_code: str = "WG-TJ",
    reported_at: datetime = START,
    with_location: bool = True,
) -> HazardReported:
    lat, lon = TUANJIE
    location = Location(lat=lat + north_m * METRE_LAT, lon=lon, address="团结社区 7号楼")
    return HazardReported(
        report_id=uuid.uuid4(),
        kind="hazard",
        category=category,
        description="阳台堆放大量纸箱",
        location=location if with_location else Location(address="团结社区"),
        community_code=community_code,
        street_code="WG",
        severity=severity,
        reporter=PersonRef(kind="watcher", id=reporter),
        reported_at=reported_at,
    )


async def deliver(pool: asyncpg.Pool, context: DispatchContext, report: HazardReported) -> None:
    """Hand a report to the consumer's handler directly, in its own transaction (no broker)."""
    envelope = new_envelope(report, source=PATROL)
    async with pool.acquire() as conn, conn.transaction():
        uow = UnitOfWork(conn, DISPATCH, envelope, context)
        await handle_hazard_reported(uow, Event(envelope, report))


async def case_of(pool: asyncpg.Pool, report: HazardReported) -> asyncpg.Record:
    return await pool.fetchrow(
        "SELECT c.* FROM cases c JOIN reports r ON r.case_id = c.case_id WHERE r.report_id = $1",
        report.report_id,
    )


async def emitted(pool: asyncpg.Pool, event_type: str) -> list[dict]:
    rows = await pool.fetch("SELECT data FROM outbox WHERE event_type = $1 ORDER BY position", event_type)
    return [row["data"] for row in rows]


async def bind_sink(amqp, topology) -> tuple[object, str]:
    """A queue of this test's own that receives every event dispatch publishes."""
    channel = await amqp.channel()
    events = await topology.declare_exchanges(channel)
    name = topology.queue("dispatch", "sink")
    queue = await channel.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum"})
    for key in ("dispatch.#", "issue.#", "hazard.merged"):
        await queue.bind(events, routing_key=key)
    return channel, name


async def publish(amqp, topology, data, envelope=None) -> None:
    """Publish an event as patrol would (the same envelope twice is a redelivery)."""
    from shared.events.envelope import encode_data
    from shared.messaging.publisher import EventPublisher, confirming_channel

    channel = await confirming_channel(amqp)
    exchange = await channel.get_exchange(topology.events_exchange)
    await EventPublisher(exchange).publish(envelope or new_envelope(data, source=PATROL), encode_data(data))
    await channel.close()
