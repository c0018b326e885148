"""A failed message waits for its next attempt in a delay queue, not in the consumer's hands: it holds no prefetch
slot, comes back to exactly the queue it came from, and is dead-lettered after exactly `delivery_limit` attempts."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid

import aio_pika
import pytest

from shared.events.envelope import encode_data, new_envelope
from shared.messaging.dead_letters import peek, requeue
from shared.messaging.publisher import EventPublisher, confirming_channel
from tests.support import probes
from tests.support.db import count
from tests.support.queues import take_all
from tests.support.waiting import eventually

CONSUMER_SOURCE = probes.CONSUMER.source


@pytest.fixture
async def channel(amqp):
    channel = await confirming_channel(amqp)
    yield channel
    await channel.close()


@pytest.fixture
async def slow_retries(amqp, topology):
    """The test's topology with a back-off far longer than the handling of a good message (its delay queues are
    deleted afterwards, like the fixture's own)."""
    slow = dataclasses.replace(topology, retry_backoff_seconds=8.0, retry_backoff_max_seconds=30.0)
    yield slow
    channel = await amqp.channel()
    for queue in slow.retry_queues(probes.CONSUMER.name):
        await channel.queue_delete(queue)
    await channel.close()


async def _publish(channel, topology, report) -> uuid.UUID:
    envelope = new_envelope(report, source=probes.PRODUCER.source)
    exchange = await channel.get_exchange(topology.events_exchange)
    await EventPublisher(exchange).publish(envelope, encode_data(report))
    return envelope.id


async def test_messages_backing_off_hold_no_slot_so_good_ones_published_after_them_pass(
    infra, slow_retries, run_service, admin_db, channel
):
    topology = slow_retries
    async with run_service(
        probes.CONSUMER,
        retry_backoff_seconds=topology.retry_backoff_seconds,
        retry_backoff_max_seconds=topology.retry_backoff_max_seconds,
    ):
        failing = [await _publish(channel, topology, probes.a_report("transient:1")) for _ in range(100)]
        started = time.monotonic()
        good = [await _publish(channel, topology, probes.a_report(f"good {n}")) for n in range(20)]
        await eventually(
            lambda: _handled(admin_db, "good %"), timeout=3.0, what="the 20 good messages within 3 s"
        )
        took = time.monotonic() - started
        assert await count(admin_db, "probe_consumer.effects", "description = 'transient:1'") == 0, (
            "the failed ones are still backing off (8 s)"
        )
        assert all(probes.attempts[CONSUMER_SOURCE, event_id] == 1 for event_id in failing)

        await eventually(
            lambda: _handled(admin_db, "transient:1", 100), timeout=30.0, what="the 100 retried messages"
        )
        assert time.monotonic() - started >= 8.0 - took
    assert all(probes.attempts[CONSUMER_SOURCE, event_id] == 2 for event_id in failing)
    assert all(probes.attempts[CONSUMER_SOURCE, event_id] == 1 for event_id in good)
    assert await count(admin_db, "probe_consumer.effects") == 120
    assert await take_all(channel, topology.dead_letter_queue("probe_consumer")) == []
    print(f"20 good messages behind 100 backing off handled in {took:.2f} s")


async def _handled(admin_db, description_like: str, expected: int = 20) -> bool:
    return (
        await count(admin_db, "probe_consumer.effects", "description LIKE $1", description_like) >= expected
    )


async def test_a_message_failing_every_time_is_dead_lettered_after_exactly_delivery_limit_attempts(
    infra, topology, run_service, admin_db, channel
):
    async with run_service(probes.CONSUMER):
        event_id = await _publish(channel, topology, probes.a_report("bug"))

        async def dead_lettered() -> bool:
            return bool(await peek(channel, topology, "probe_consumer"))

        await eventually(dead_lettered, what="the failing message to be dead-lettered")
        await asyncio.sleep(topology.retry_backoff_max_seconds * 2)  # no copy of it is still on its way
    assert probes.attempts[CONSUMER_SOURCE, event_id] == topology.delivery_limit
    [described] = await peek(channel, topology, "probe_consumer")
    assert described.reason == "handler-error"
    assert "a handler bug" in described.detail
    assert described.original_queue == topology.queue("probe_consumer", "hazard.reported")
    assert described.routing_key == "hazard.reported", "the routing key it was published with, not a delay's"
    assert described.headers["x-delivery-attempts"] == topology.delivery_limit

    assert await requeue(channel, topology, "probe_consumer") == 1
    [again] = await take_all(channel, topology.queue("probe_consumer", "hazard.reported"))
    assert "x-delivery-attempts" not in again.headers, "a requeued letter starts with a fresh attempt count"
    assert not any(key.startswith("x-death") or key.startswith("x-first-death") for key in again.headers)


async def test_a_retried_copy_returns_to_its_own_queue_and_no_other(infra, topology, channel):
    queues = {
        service: (await topology.declare_service(channel, service, ["hazard.reported"]))["hazard.reported"]
        for service in ("probe_consumer", "probe_batched")
    }
    retry = await channel.get_exchange(topology.retry_exchange)
    for delay_ms in topology.retry_levels_ms():
        body = f"after {delay_ms} ms".encode()
        routing_key = topology.retry_routing_key(delay_ms, queues["probe_consumer"].name)
        await retry.publish(aio_pika.Message(body), routing_key=routing_key, mandatory=True)
    received = []

    async def all_back() -> bool:
        received.extend(await take_all(channel, queues["probe_consumer"].name, settle=0))
        return len(received) == len(topology.retry_levels_ms())

    await eventually(all_back, what="the copies to come back from every delay queue")
    assert sorted(message.body for message in received) == sorted(
        f"after {delay_ms} ms".encode() for delay_ms in topology.retry_levels_ms()
    )
    assert await take_all(channel, queues["probe_batched"].name) == []
    assert await take_all(channel, topology.dead_letter_queue("probe_consumer")) == []
