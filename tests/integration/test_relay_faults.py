"""The outbox relay after faults: its back-off starts over once publishing works again, a refused publish is
recorded without the confirmed rows of its batch being published again, and a client that vanished inside a
transaction holds the relay back no longer than the bounds every service connection sets.

The relay only publishes behind the oldest transaction open anywhere on its server, so these timings are taken
on a PostgreSQL cluster of this module's own (tests/support/private_postgres.py): on the shared server any other
client's transaction would hold the relay back too.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import asyncpg
import pytest
import structlog

from shared.db.migrate import apply_migrations, load_migrations
from shared.db.pool import create_pool
from shared.db.provision import provision
from shared.db.sessions import CLIENT_CHECK_SECONDS
from shared.events.envelope import Envelope
from shared.messaging.publisher import EventPublisher, confirming_channel
from shared.outbox.relay import OutboxRelay
from shared.unit_of_work import unit_of_work
from tests.support import probes
from tests.support.db import count
from tests.support.private_postgres import private_postgres, why_not_available
from tests.support.waiting import eventually


class BrokerAway(ConnectionError):
    pass


class FlakyPublisher:
    """The real publisher, but refusing everything while `away`, and the events of `refused` subjects always."""

    def __init__(self, real: EventPublisher) -> None:
        self.real = real
        self.away = False
        self.refused: set[str] = set()
        self.failures = 0
        self.published: list[str] = []

    async def publish(self, envelope: Envelope, body: bytes) -> None:
        if self.away or envelope.subject in self.refused:
            self.failures += 1
            raise BrokerAway("connection to the broker lost")
        await self.real.publish(envelope, body)
        self.published.append(str(envelope.subject))


@pytest.fixture(scope="module")
async def private_server():
    reason = why_not_available()
    if reason:
        pytest.skip(reason)
    async with private_postgres() as server:
        await provision(server.admin_url, "grassroots", {"probe_producer": "probe_producer"})
        await apply_migrations(
            server.url("grassroots", "probe_producer", "probe_producer"),
            "probe_producer",
            load_migrations(probes.PRODUCER.directory),
        )
        yield server


@pytest.fixture
def producer_url(private_server) -> str:
    return private_server.url("grassroots", "probe_producer", "probe_producer")


@pytest.fixture
async def admin_db(private_server):
    """The private cluster's administrator, with the producer's tables emptied."""
    conn = await asyncpg.connect(private_server.url("grassroots"))
    await conn.execute("TRUNCATE probe_producer.outbox, probe_producer.reports")
    yield conn
    await conn.close()


@pytest.fixture
async def producer_pool(producer_url):
    pool = await create_pool(producer_url, "probe_producer")
    yield pool
    await pool.close()


@pytest.fixture
async def flaky(amqp, topology):
    channel = await confirming_channel(amqp)
    events = await topology.declare_exchanges(channel)
    sink = await channel.declare_queue(
        topology.queue("probe_consumer", "sink"), durable=True, arguments={"x-queue-type": "quorum"}
    )
    await sink.bind(events, routing_key="hazard.reported")
    return FlakyPublisher(EventPublisher(events))


async def _produce(pool: asyncpg.Pool, *reports: probes.HazardReported) -> None:
    for report in reports:
        async with unit_of_work(pool, probes.PRODUCER.source) as uow:
            await probes.accept_report(uow, report)


def _published(admin_db: asyncpg.Connection, report: probes.HazardReported):
    async def check() -> bool:
        return (
            await count(
                admin_db,
                "probe_producer.outbox",
                "subject = $1 AND published_at IS NOT NULL",
                str(report.report_id),
            )
            == 1
        )

    return check


async def test_the_back_off_starts_over_after_the_relay_publishes_again(producer_pool, flaky, admin_db):
    relay = OutboxRelay(pool=producer_pool, schema="probe_producer", publisher=flaky, poll_seconds=0.1)
    running = asyncio.create_task(relay.run())
    try:
        flaky.away = True  # a long outage: the back-off grows to 0.5 + 1 + 2 seconds and beyond
        first = probes.a_report("during the long outage")
        await _produce(producer_pool, first)
        await eventually(lambda: _at_least(flaky, 3), what="three failed attempts")
        flaky.away = False
        await eventually(
            _published(admin_db, first), timeout=20, what="the relay to publish after the outage"
        )

        flaky.away = True  # a blip: one failed attempt
        second = probes.a_report("during a blip")
        await _produce(producer_pool, second)
        failures = flaky.failures
        await eventually(lambda: _at_least(flaky, failures + 1), what="the blip's failed attempt")
        flaky.away = False
        blip_ended = time.monotonic()
        await eventually(_published(admin_db, second), timeout=20, what="the relay to publish after the blip")
        paused = time.monotonic() - blip_ended
    finally:
        relay.stop()
        await running
    assert paused < 2.0, f"the relay paused {paused:.1f}s after a blip: its back-off kept the long outage's"


async def _at_least(flaky: FlakyPublisher, failures: int) -> bool:
    return flaky.failures >= failures


async def test_a_refused_publish_is_recorded_and_the_confirmed_rows_of_its_batch_are_not_published_again(
    producer_pool, flaky, admin_db
):
    reports = [probes.a_report(f"report {n}") for n in range(3)]
    await _produce(producer_pool, *reports)
    flaky.refused = {str(reports[1].report_id)}
    relay = OutboxRelay(pool=producer_pool, schema="probe_producer", publisher=flaky)
    async with asyncio.timeout(10):
        while True:  # a claim may find nothing while an older transaction elsewhere is still open
            try:
                if await relay.relay_once():
                    break
            except Exception:  # the refused publish, once its batch is recorded
                break
            await asyncio.sleep(0.05)
    assert sorted(flaky.published) == sorted(str(r.report_id) for r in (reports[0], reports[2]))
    rows = {
        row["subject"]: row
        for row in await admin_db.fetch(
            "SELECT subject, published_at, publish_attempts, last_error FROM probe_producer.outbox"
        )
    }
    refused = rows[str(reports[1].report_id)]
    assert refused["published_at"] is None
    assert refused["publish_attempts"] == 1 and "connection to the broker lost" in refused["last_error"]
    for confirmed in (reports[0], reports[2]):
        row = rows[str(confirmed.report_id)]
        assert row["published_at"] is not None and row["publish_attempts"] == 1

    flaky.refused = set()
    flaky.published.clear()
    assert await relay.relay_once() == 1
    assert flaky.published == [str(reports[1].report_id)], "only the refused event is published again"


_WRITE_EVENT = """
INSERT INTO outbox (event_id, source, event_type, version, occurred_at, correlation_id, data)
VALUES (gen_random_uuid(), '/vanishing', 'hazard.reported', 1, now(), gen_random_uuid(), '{}')
"""


async def _open_transaction_with_an_event(conn: asyncpg.Connection) -> int:
    """A client's transaction that has written an outbox row and is still open; its backend's pid."""
    await conn.execute("BEGIN")
    await conn.execute(_WRITE_EVENT)
    return await conn.fetchval("SELECT pg_backend_pid()")


def _backend_state(admin_db: asyncpg.Connection, pid: int, state: str):
    async def check() -> bool:
        return await admin_db.fetchval("SELECT state FROM pg_stat_activity WHERE pid = $1", pid) == state

    return check


@pytest.mark.parametrize(
    ("fault", "bound"),
    [("killed mid-statement", CLIENT_CHECK_SECONDS), ("frozen inside its transaction", 2.0)],
)
async def test_a_client_that_vanishes_inside_a_transaction_holds_the_relay_back_no_longer_than_the_bound(
    producer_url, topology, run_service, admin_db, fault, bound
):
    """The client is a connection of the service's own pool, as a replica that was killed or froze would have
    had: what bounds it is what the service asks of every connection it opens."""
    async with run_service(
        probes.PRODUCER, database_url=producer_url, idle_transaction_timeout_seconds=2.0
    ) as producer:
        assert producer.pool is not None
        client = await producer.pool.acquire()
        try:
            pid = await _open_transaction_with_an_event(client)
            behind = probes.a_report("committed behind the vanishing client's transaction")
            await _produce(producer.pool, behind)
            if fault == "killed mid-statement":
                statement = asyncio.create_task(client.execute("SELECT pg_sleep(600)"))
                await eventually(_backend_state(admin_db, pid, "active"), what="the long statement to run")
                client.terminate()  # the socket closes as a killed process's would, mid-statement
            vanished = (
                time.monotonic()
            )  # a frozen client: from now on it sends nothing, and its socket stays open
            await eventually(
                _published(admin_db, behind), timeout=30, what=f"the relay after a client {fault}"
            )
            held_back = time.monotonic() - vanished
        finally:
            if fault == "killed mid-statement":
                with contextlib.suppress(BaseException):
                    await statement
            with contextlib.suppress(Exception):
                await producer.pool.release(client, timeout=1)
            await admin_db.execute("SELECT pg_terminate_backend($1)", pid)
    assert held_back < bound + 2.0, f"a client {fault} held the relay back {held_back:.1f}s"


async def test_rows_held_back_for_seconds_are_logged_with_the_transaction_that_holds_them(
    producer_url, producer_pool, flaky, admin_db
):
    relay = OutboxRelay(
        pool=producer_pool,
        schema="probe_producer",
        publisher=flaky,
        poll_seconds=0.1,
        held_back_warning_seconds=0.5,
    )
    client = await asyncpg.connect(producer_url, server_settings={"search_path": "probe_producer"})
    try:
        blocking_pid = await _open_transaction_with_an_event(client)
        behind = probes.a_report("held back")
        await _produce(producer_pool, behind)
        with structlog.testing.capture_logs() as logs:
            running = asyncio.create_task(relay.run())
            try:
                await eventually(lambda: _warned(logs), what="the relay to say what holds it back")
            finally:
                relay.stop()
                await running
    finally:
        await client.close()
    warning = next(entry for entry in logs if entry["event"].startswith("outbox rows held back"))
    assert warning["blocking_pid"] == blocking_pid
    assert warning["blocking_usename"] == "probe_producer"
    assert warning["held_back_seconds"] >= 0.5 and warning["blocking_age_seconds"] >= 0.5


async def _warned(logs: list[dict]) -> bool:
    return any(entry["event"].startswith("outbox rows held back") for entry in logs)


async def _listening_backend(admin_db: asyncpg.Connection) -> int | None:
    return await admin_db.fetchval(
        """SELECT pid FROM pg_stat_activity
           WHERE datname = current_database() AND usename = 'probe_producer' AND query LIKE 'LISTEN %'"""
    )


async def test_a_relay_whose_listening_connection_the_server_closed_listens_again_at_once(
    producer_pool, flaky, admin_db
):
    relay = OutboxRelay(pool=producer_pool, schema="probe_producer", publisher=flaky, poll_seconds=30)
    running = asyncio.create_task(relay.run())
    try:
        before = probes.a_report("woken by its commit")
        await _produce(producer_pool, before)
        await eventually(_published(admin_db, before), timeout=5, what="the listening relay to publish")
        listener = await _listening_backend(admin_db)
        assert listener is not None
        await admin_db.execute("SELECT pg_terminate_backend($1)", listener)

        async def listening_again() -> bool:
            return await _listening_backend(admin_db) not in (None, listener)

        await eventually(listening_again, timeout=5, what="the relay to listen on a new connection")
        after = probes.a_report("committed after the listener was lost")
        await _produce(producer_pool, after)
        await eventually(
            _published(admin_db, after), timeout=5, what="the relay to be woken again by a commit"
        )
    finally:
        relay.stop()
        await running
