"""The patrol service running against the real broker and database, with a temporary photo store and an HTTP client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import aio_pika
import asyncpg
import httpx
import pytest

from services.patrol.adapters.photo_store import FilesystemPhotoStore
from services.patrol.bootstrap import definition
from services.patrol.context import PatrolContext, PatrolSettings
from shared.auth import issue_token
from shared.clock import ManualClock
from shared.events.envelope import encode_data, new_envelope
from shared.events.registry import EventData
from shared.messaging.publisher import EventPublisher, confirming_channel
from shared.reference import ReferenceBundle
from shared.runtime.app import create_app
from shared.runtime.service import ServiceRuntime
from tests.support.queues import take_all

BUNDLE = ReferenceBundle.load()


@dataclass
class RunningPatrol:
    client: httpx.AsyncClient
    context: PatrolContext
    settings: PatrolSettings
    channel: aio_pika.abc.AbstractChannel
    publisher: EventPublisher
    sink: str

    def token(
        self,
        subject: str,
        *roles: str,
        community: str | None = None,
        street: str | None = None,
        units: tuple[str, ...] = (),
    ) -> dict[str, str]:
        token = issue_token(
            self.settings.auth_secret,
            subject,
            list(roles),
            community_code=community,
            street_code=street,
            unit_ids=units,
        )
        return {"Authorization": f"Bearer {token}"}

    async def publish(self, data: EventData, *, source: str = "/services/dispatch"):
        """Publish an event as another service would (a test publisher for dispatch's events)."""
        envelope = new_envelope(data, source=source)
        await self.publisher.publish(envelope, encode_data(data))
        return envelope

    async def published(self) -> list[tuple[str, dict]]:
        """What patrol published since the last look: (event type, data)."""
        messages = await take_all(self.channel, self.sink)
        return [(m.headers["cloudEvents_type"], json.loads(m.body)) for m in messages]


@pytest.fixture
async def patrol(infra, amqp, topology, settings_for, tmp_path) -> AsyncIterator[RunningPatrol]:
    service = definition()
    settings = settings_for(service, photo_dir=tmp_path / "photos", public_base_url="http://patrol.test")
    assert isinstance(settings, PatrolSettings)
    context = PatrolContext(
        settings=settings,
        clock=ManualClock(datetime.now(UTC).replace(microsecond=0)),
        bundle=BUNDLE,
        photos=FilesystemPhotoStore(settings.photo_dir),
    )
    channel = await confirming_channel(amqp)
    events = await topology.declare_exchanges(channel)
    sink = await channel.declare_queue(
        topology.queue("patrol", "sink"), durable=True, arguments={"x-queue-type": "quorum"}
    )
    for event_type in ("hazard.reported", "hazard.withdrawn", "household.visited"):
        await sink.bind(events, routing_key=event_type)
    runtime = ServiceRuntime(service, settings, context=context)
    app = create_app(service, settings, runtime)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://patrol.test") as client:
            yield RunningPatrol(client, context, settings, channel, EventPublisher(events), sink.name)
    await channel.close()
    # Events of one test are no other test's business; the backbone's tests expect patrol's outbox empty.
    admin = await asyncpg.connect(infra.admin_database_url)
    try:
        await admin.execute("TRUNCATE patrol.outbox, patrol.inbox")
    finally:
        await admin.close()


WATCHER_TABLES = (
    "patrol_reports",
    "patrol_notes",
    "patrols",
    "shifts",
    "rosters",
    "watcher_pairings",
    "watcher_equipment",
    "watchers",
)


@pytest.fixture
async def watcher_service(patrol: RunningPatrol, admin_db, topology) -> RunningPatrol:
    """The running patrol service with no watchers, shifts or patrols; its sink also takes watcher.* and patrol.*."""
    await admin_db.execute(f"TRUNCATE {', '.join('patrol.' + table for table in WATCHER_TABLES)}")
    events = await patrol.channel.get_exchange(topology.events_exchange)
    sink = await patrol.channel.get_queue(patrol.sink)
    for routing_key in ("watcher.*", "patrol.#"):
        await sink.bind(events, routing_key=routing_key)
    return patrol


@pytest.fixture
def watcher_published(watcher_service: RunningPatrol, admin_db):
    """`await watcher_published()`: wait until patrol's outbox is relayed, then what reached the sink."""
    from tests.support.waiting import eventually

    async def relayed() -> bool:
        return await admin_db.fetchval("SELECT count(*) FROM patrol.outbox WHERE published_at IS NULL") == 0

    async def published() -> list[tuple[str, dict]]:
        await eventually(relayed, timeout=30, what="patrol's outbox to be relayed")
        return await watcher_service.published()

    return published
