"""The consumer's guarantees: one effect per event, poison dead-lettered with its reason, retries bounded."""

from __future__ import annotations

import json
import uuid

import aio_pika
import asyncpg

from shared.events.envelope import encode_data, new_envelope
from shared.messaging.dead_letters import describe, requeue
from shared.messaging.publisher import EventPublisher, confirming_channel
from tests.support import probes
from tests.support.db import count
from tests.support.queues import take_all
from tests.support.waiting import eventually


async def _publisher(amqp, topology) -> tuple[aio_pika.abc.AbstractChannel, EventPublisher]:
    channel = await confirming_channel(amqp)
    exchange = await channel.get_exchange(topology.events_exchange)
    return channel, EventPublisher(exchange)


def _envelope(report: probes.HazardReported):
    return new_envelope(report, source=probes.PRODUCER.source)


async def _effects(conn: asyncpg.Connection, description: str | None = None) -> int:
    if description is None:
        return await count(conn, "probe_consumer.effects")
    return await count(conn, "probe_consumer.effects", "description = $1", description)


async def test_a_duplicate_delivery_produces_one_effect(infra, amqp, topology, run_service, admin_db):
    report = probes.a_report()
    envelope = _envelope(report)
    async with run_service(probes.CONSUMER):
        _, publisher = await _publisher(amqp, topology)
        for _ in range(3):
            await publisher.publish(envelope, encode_data(report))
        await eventually(lambda: _effects(admin_db), what="the first delivery's effect")
        marker = probes.a_report("published after the duplicates")
        await publisher.publish(_envelope(marker), encode_data(marker))
        await eventually(lambda: _effects(admin_db, marker.description), what="the marker to be handled")
    assert await count(admin_db, "probe_consumer.effects", "report_id = $1", report.report_id) == 1
    assert await count(admin_db, "probe_consumer.inbox", "event_id = $1", envelope.id) == 1


async def test_poison_messages_are_dead_lettered_with_their_reason_while_the_next_good_one_is_processed(
    infra, amqp, topology, run_service, admin_db
):
    report = probes.a_report()
    good_headers = _envelope(report).to_headers()
    unknown_version = dict(good_headers)
    unknown_version["cloudEvents_dataschema"] = "urn:grassroots:event:hazard.reported:v9"
    missing_field = report.model_dump(mode="json")
    del missing_field["severity"]
    poison = [
        (b"{not json", dict(good_headers, **{"cloudEvents_id": "00000000-0000-4000-8000-000000000001"})),
        (
            encode_data(report),
            dict(unknown_version, **{"cloudEvents_id": "00000000-0000-4000-8000-000000000002"}),
        ),
        (
            json.dumps(missing_field).encode(),
            dict(good_headers, **{"cloudEvents_id": "00000000-0000-4000-8000-000000000003"}),
        ),
        (encode_data(report), {"content": "no CloudEvents headers at all"}),
    ]
    async with run_service(probes.CONSUMER):
        channel, publisher = await _publisher(amqp, topology)
        exchange = await channel.get_exchange(topology.events_exchange)
        for body, headers in poison:
            await exchange.publish(aio_pika.Message(body, headers=headers), routing_key="hazard.reported")
        good = probes.a_report("the good one after the poison")
        await publisher.publish(_envelope(good), encode_data(good))
        await eventually(
            lambda: _effects(admin_db, good.description), what="the good message to be processed"
        )
        letters = []

        async def four_dead_letters() -> bool:
            letters.extend(await take_all(channel, topology.dead_letter_queue("probe_consumer"), settle=0))
            return len(letters) >= 4

        await eventually(four_dead_letters, what="the poison to reach the dead-letter queue")
    described = [describe(letter) for letter in letters]
    assert [letter.reason for letter in described] == [
        "invalid-json",
        "unknown-type",
        "invalid-payload",
        "invalid-envelope",
    ]
    assert "severity" in described[2].detail
    assert "v9" in described[1].detail
    assert all(
        letter.original_queue == topology.queue("probe_consumer", "hazard.reported") for letter in described
    )
    assert described[0].body == b"{not json"
    assert await _effects(admin_db) == 1


async def test_a_handler_bug_is_retried_then_dead_lettered_at_the_delivery_limit(
    infra, amqp, topology, run_service, admin_db
):
    bug = probes.a_report("bug")
    async with run_service(probes.CONSUMER):
        channel, publisher = await _publisher(amqp, topology)
        await publisher.publish(_envelope(bug), encode_data(bug))
        after = probes.a_report("after the bug")
        await publisher.publish(_envelope(after), encode_data(after))
        await eventually(lambda: _effects(admin_db, after.description), what="the next message to go through")
        letters = []

        async def dead_lettered() -> bool:
            letters.extend(await take_all(channel, topology.dead_letter_queue("probe_consumer"), settle=0))
            return bool(letters)

        await eventually(dead_lettered, what="the bug to be dead-lettered")
    letter = describe(letters[0])
    assert letter.reason == "handler-error"
    assert "a handler bug" in letter.detail
    assert letter.headers["x-delivery-attempts"] == topology.delivery_limit
    event_id = uuid.UUID(letters[0].message_id)
    assert await count(admin_db, "probe_consumer.inbox", "event_id = $1", event_id) == 0, (
        "failure leaves no inbox row"
    )


async def test_a_transient_failure_is_retried_with_backoff_and_takes_effect_once(
    infra, amqp, topology, run_service, admin_db
):
    flaky = probes.a_report(f"transient:{topology.delivery_limit - 1}")
    async with run_service(probes.CONSUMER):
        channel, publisher = await _publisher(amqp, topology)
        envelope = _envelope(flaky)
        await publisher.publish(envelope, encode_data(flaky))
        await eventually(lambda: _effects(admin_db, flaky.description), what="the retried message to succeed")
    assert probes.transient_failures[envelope.id] == topology.delivery_limit - 1
    assert await _effects(admin_db) == 1
    assert await take_all(channel, topology.dead_letter_queue("probe_consumer")) == []


async def test_an_operator_can_requeue_dead_letters_once_the_cause_is_fixed(
    infra, amqp, topology, run_service, admin_db
):
    broken = probes.a_report("bug")
    envelope = _envelope(broken)
    async with run_service(probes.CONSUMER):
        channel, publisher = await _publisher(amqp, topology)
        await publisher.publish(envelope, encode_data(broken))

        async def dead_lettered() -> bool:
            queue = await channel.get_queue(topology.dead_letter_queue("probe_consumer"))
            letter = await queue.get(no_ack=False, fail=False)
            if letter is None:
                return False
            await letter.nack(requeue=True)
            return True

        await eventually(dead_lettered, what="the failing message to be dead-lettered")
    moved = await requeue(channel, topology, "probe_consumer")
    assert moved == 1
    original = await take_all(channel, topology.queue("probe_consumer", "hazard.reported"))
    assert [message.message_id for message in original] == [str(envelope.id)]
    assert "x-dead-letter-reason" not in original[0].headers
    assert original[0].headers["cloudEvents_type"] == "hazard.reported"
