"""The transactional outbox: nothing committed is lost, nothing rolled back is published, no row twice per relay."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from shared.db.pool import create_pool
from shared.messaging.publisher import EventPublisher, confirming_channel
from shared.outbox.relay import OutboxRelay
from shared.unit_of_work import unit_of_work
from tests.support import probes
from tests.support.db import count
from tests.support.queues import take_all
from tests.support.waiting import eventually


class RelayCrashed(Exception):
    """Stands for the process dying after the broker confirmed the batch and before the rows were marked."""


async def _crash(_rows: object) -> None:
    raise RelayCrashed


async def _produce(pool: asyncpg.Pool, *reports: probes.HazardReported) -> None:
    for report in reports:
        async with unit_of_work(pool, probes.PRODUCER.source) as uow:
            await probes.accept_report(uow, report)


def _relay(pool: asyncpg.Pool, exchange, **kwargs) -> OutboxRelay:
    return OutboxRelay(pool=pool, schema="probe_producer", publisher=EventPublisher(exchange), **kwargs)


async def test_event_survives_a_relay_crash_between_publish_and_marking_and_takes_effect_once(
    infra, amqp, topology, run_service, admin_db
):
    async with run_service(probes.CONSUMER):
        pass  # declares the consumer's queue, so the publishes have somewhere to go
    report = probes.a_report()
    pool = await create_pool(infra.database_url("probe_producer"), "probe_producer")
    channel = await confirming_channel(amqp)
    exchange = await channel.get_exchange(topology.events_exchange)
    try:
        await _produce(pool, report)
        crashing = _relay(pool, exchange, after_publish=_crash)

        async def crashed_after_publishing() -> bool:
            try:
                await (
                    crashing.relay_once()
                )  # claims nothing while an older open transaction holds the row back
            except RelayCrashed:
                return True
            return False

        await eventually(crashed_after_publishing, what="the relay to publish and crash")
        assert await count(admin_db, "probe_producer.outbox", "published_at IS NULL") == 1, (
            "crash left it unmarked"
        )
        relay = _relay(pool, exchange)

        async def published_and_marked() -> bool:
            return await relay.relay_once() == 1

        await eventually(published_and_marked, what="the restarted relay to publish and mark the event")
        assert await _all_sent(admin_db)
    finally:
        await pool.close()

    queue = await channel.get_queue(topology.queue("probe_consumer", "hazard.reported"))
    copies = [await queue.get(no_ack=False, fail=False) for _ in range(3)]
    assert copies[2] is None and None not in copies[:2], "the broker holds exactly the two publishes"
    assert copies[0].message_id == copies[1].message_id
    for copy in copies[:2]:
        await copy.nack(requeue=True)

    async with run_service(probes.CONSUMER):
        await eventually(lambda: _effects_of(admin_db, report), what="the consumer to handle the event")
        await asyncio.sleep(0.5)  # time for the duplicate to arrive and be dropped
    assert await count(admin_db, "probe_consumer.effects", "report_id = $1", report.report_id) == 1
    assert await count(admin_db, "probe_consumer.inbox") == 1
    assert await take_all(channel, queue.name) == [], "both copies were taken and acknowledged"


async def _effects_of(conn: asyncpg.Connection, report: probes.HazardReported) -> bool:
    return await count(conn, "probe_consumer.effects", "report_id = $1", report.report_id) >= 1


async def test_a_transaction_that_fails_after_the_state_write_publishes_nothing(
    infra, amqp, topology, run_service, admin_db
):
    async with run_service(probes.CONSUMER):
        pass
    async with run_service(probes.PRODUCER) as producer:
        assert producer.pool is not None and producer.relay is not None
        with pytest.raises(LookupError):
            async with unit_of_work(producer.pool, probes.PRODUCER.source) as uow:
                await probes.accept_report(uow, probes.a_report())
                raise LookupError("the command fails after writing its state and its event")
        good = probes.a_report("after the failure")
        await _produce(producer.pool, good)
        await eventually(lambda: _all_sent(admin_db), what="the good event to be published")
    channel = await amqp.channel()
    messages = await take_all(channel, topology.queue("probe_consumer", "hazard.reported"))
    assert [message.headers["cloudEvents_subject"] for message in messages] == [str(good.report_id)]
    assert await count(admin_db, "probe_producer.reports") == 1
    assert await count(admin_db, "probe_producer.outbox") == 1


async def _all_sent(conn: asyncpg.Connection) -> bool:
    return await count(conn, "probe_producer.outbox", "published_at IS NULL") == 0


async def test_two_relays_running_at_once_publish_each_outbox_row_once(infra, amqp, topology, admin_db):
    channel = await amqp.channel()
    events = await topology.declare_exchanges(channel)
    sink = await channel.declare_queue(
        topology.queue("probe_consumer", "sink"), durable=True, arguments={"x-queue-type": "quorum"}
    )
    await sink.bind(events, routing_key="hazard.reported")
    pools = [await create_pool(infra.database_url("probe_producer"), "probe_producer") for _ in range(2)]
    total = 600
    await _produce(pools[0], *(probes.a_report(f"report {n}") for n in range(total)))

    relays = []
    for pool in pools:
        publish_channel = await confirming_channel(amqp)
        exchange = await publish_channel.get_exchange(topology.events_exchange)
        relays.append(
            OutboxRelay(
                pool=pool,
                schema="probe_producer",
                publisher=EventPublisher(exchange),
                batch_size=25,
                poll_seconds=0.05,
            )
        )
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        await eventually(lambda: _all_sent(admin_db), what="both relays to drain the outbox")
    finally:
        for relay in relays:
            relay.stop()
        await asyncio.gather(*tasks)
        for pool in pools:
            await pool.close()

    seen = [message.message_id for message in await take_all(channel, sink.name, settle=1.0)]
    assert len(seen) == total, "every row published, none twice"
    assert len(set(seen)) == total
    expected = {
        str(r["event_id"]) for r in await admin_db.fetch("SELECT event_id FROM probe_producer.outbox")
    }
    assert set(seen) == expected
    positions = await admin_db.fetch("SELECT publish_attempts FROM probe_producer.outbox")
    assert {row["publish_attempts"] for row in positions} == {1}


async def test_an_event_no_queue_is_bound_for_is_marked_unroutable_not_lost_silently(
    infra, topology, run_service, admin_db
):
    async with run_service(probes.PRODUCER) as producer:
        assert producer.pool is not None
        await _produce(producer.pool, probes.a_report())
        await eventually(lambda: _all_sent(admin_db), what="the relay to give up on the unroutable event")
    row = await admin_db.fetchrow("SELECT unroutable, last_error FROM probe_producer.outbox")
    assert row["unroutable"] is True
    assert "no queue bound" in row["last_error"]


async def test_events_of_one_command_share_a_correlation_id_and_chain_their_causes(
    infra, run_service, admin_db
):
    async with run_service(probes.PRODUCER) as producer:
        assert producer.pool is not None
        async with unit_of_work(producer.pool, probes.PRODUCER.source) as uow:
            first = await uow.emit(probes.a_report("first"))
            second = await uow.emit(probes.a_report("second"))
    assert first.correlation_id == first.id and first.causation_id is None
    assert second.correlation_id == first.id and second.causation_id == first.id
    stored = await admin_db.fetch("SELECT correlation_id FROM probe_producer.outbox")
    assert {row["correlation_id"] for row in stored} == {first.id}
    assert isinstance(first.id, uuid.UUID)
