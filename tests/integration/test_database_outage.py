"""A database outage is not the message's fault: a consumer whose database goes away for longer than the whole retry
budget holds its messages, spends no attempt, and handles every event exactly once when the database is back, even
if its broker connection drops meanwhile. The database here is a private cluster the test stops and starts."""

from __future__ import annotations

import asyncio
import time
import uuid
from urllib.parse import urlsplit

import asyncpg
import pytest
import structlog

from shared.db.migrate import apply_migrations, load_migrations
from shared.db.provision import provision
from shared.db.url import with_database, with_user
from shared.events.envelope import encode_data, new_envelope
from shared.messaging.publisher import EventPublisher, confirming_channel
from tests.support import probes
from tests.support.private_postgres import PrivatePostgres, private_postgres
from tests.support.queues import take_all
from tests.support.tcp_proxy import tcp_proxy
from tests.support.waiting import eventually

OUTAGE_SECONDS = 10.0
SERVICE = probes.CONSUMER.name


@pytest.fixture
async def cluster():
    async with private_postgres() as cluster:
        await provision(cluster.admin_url, "grassroots", {SERVICE: SERVICE})
        await apply_migrations(_service_url(cluster), SERVICE, load_migrations(probes.CONSUMER.directory))
        yield cluster


def _service_url(cluster: PrivatePostgres) -> str:
    return with_user(with_database(cluster.admin_url, "grassroots"), SERVICE, SERVICE)


@pytest.fixture
async def publisher(amqp, topology):
    channel = await confirming_channel(amqp)

    async def publish(description: str) -> uuid.UUID:
        report = probes.a_report(description)
        envelope = new_envelope(report, source=probes.PRODUCER.source)
        exchange = await channel.get_exchange(topology.events_exchange)
        await EventPublisher(exchange).publish(envelope, encode_data(report))
        return envelope.id

    yield publish
    await channel.close()


async def _effects(cluster: PrivatePostgres) -> list[uuid.UUID]:
    try:
        conn = await asyncpg.connect(with_database(cluster.admin_url, "grassroots"))
    except (OSError, asyncpg.PostgresError):
        return []
    try:
        return [row["event_id"] for row in await conn.fetch(f"SELECT event_id FROM {SERVICE}.effects")]
    finally:
        await conn.close()


async def _all_handled(cluster: PrivatePostgres, published: list[uuid.UUID]) -> None:
    async def handled() -> bool:
        return len(await _effects(cluster)) >= len(published)

    await eventually(handled, timeout=60, what="every event published to be handled")
    await asyncio.sleep(1.0)  # a duplicate would show up now
    effects = await _effects(cluster)
    assert sorted(effects) == sorted(published), "every event handled exactly once"


async def _publish_through_the_outage(publisher, cluster: PrivatePostgres, during: list[uuid.UUID]) -> float:
    await cluster.stop()
    stopped = time.monotonic()
    while time.monotonic() - stopped < OUTAGE_SECONDS:
        during.append(await publisher(f"during the outage {len(during)}"))
        await asyncio.sleep(0.5)
    await cluster.start()
    return time.monotonic() - stopped


async def test_an_outage_longer_than_the_retry_budget_dead_letters_nothing_and_loses_nothing(
    infra, amqp, topology, run_service, cluster, publisher
):
    async with run_service(probes.CONSUMER, database_url=_service_url(cluster)):
        before = [await publisher(f"before the outage {n}") for n in range(5)]
        await _all_handled(cluster, before)
        during: list[uuid.UUID] = []
        with structlog.testing.capture_logs() as logs:
            outage = await _publish_through_the_outage(publisher, cluster, during)
            after = [await publisher(f"after the outage {n}") for n in range(5)]
            await _all_handled(cluster, before + during + after)
    channel = await amqp.channel()
    assert await take_all(channel, topology.dead_letter_queue(SERVICE)) == []
    retry_budget = (
        sum(topology.retry_delay_ms(attempt) for attempt in range(1, topology.delivery_limit)) / 1000
    )
    assert outage > retry_budget
    events = [entry["event"] for entry in logs]
    assert events.count("database unreachable; consumers hold their messages until it is back") == 1, events
    [back] = [entry for entry in logs if entry["event"] == "database reachable again"]
    assert back["outage_seconds"] >= OUTAGE_SECONDS - 1


async def test_messages_held_through_an_outage_come_back_when_the_broker_connection_drops(
    infra, amqp, topology, run_service, cluster, publisher
):
    broker = urlsplit(infra.rabbitmq_url)
    async with tcp_proxy(broker.hostname or "127.0.0.1", broker.port or 5672) as proxy:
        through_proxy = broker._replace(netloc=f"{broker.username}:{broker.password}@127.0.0.1:{proxy.port}")
        async with run_service(
            probes.CONSUMER, database_url=_service_url(cluster), rabbitmq_url=through_proxy.geturl()
        ) as runtime:
            await cluster.stop()
            held = [await publisher(f"held {n}") for n in range(10)]
            await eventually(
                lambda: _holding(runtime, len(held)), what="the consumer to hold the messages while it waits"
            )
            proxy.cut()  # the broker puts the unacknowledged messages back in the queue
            await asyncio.sleep(0.5)
            await eventually(
                lambda: _reconnected(runtime), timeout=30, what="the robust connection to come back"
            )
            await cluster.start()
            await _all_handled(cluster, held)
    channel = await amqp.channel()
    assert await take_all(channel, topology.dead_letter_queue(SERVICE)) == []


async def _holding(runtime, expected: int) -> bool:
    return runtime.consumer is not None and runtime.consumer.in_flight >= expected


async def _reconnected(runtime) -> bool:
    connection = runtime.connection
    return connection is not None and not connection.is_closed and connection.connected.is_set()
