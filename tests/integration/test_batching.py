"""Events that queue up share a transaction, and each keeps the consumer's guarantees: one effect, its own fate."""

from __future__ import annotations

import asyncpg

from shared.events.envelope import encode_data, new_envelope
from shared.messaging.dead_letters import describe
from shared.messaging.publisher import EventPublisher, confirming_channel
from tests.support import probes
from tests.support.db import count
from tests.support.queues import take_all
from tests.support.waiting import eventually

SERVICE = probes.BATCHED_CONSUMER.name


async def _publish_behind_a_slow_one(amqp, topology, reports: list) -> None:
    """A slow report first: while the only batch runner handles it, the others queue up behind it."""
    channel = await confirming_channel(amqp)
    publisher = EventPublisher(await channel.get_exchange(topology.events_exchange))
    for report in [probes.a_report("slow"), *reports]:
        await publisher.publish(new_envelope(report, source=probes.PRODUCER.source), encode_data(report))


async def _effects(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(f"SELECT report_id, description, transaction_id FROM {SERVICE}.effects")


async def test_events_that_queue_up_share_transactions_and_each_takes_effect_once(
    infra, amqp, topology, run_service, admin_db
):
    reports = [probes.a_report(f"queued {n}") for n in range(30)]
    async with run_service(probes.BATCHED_CONSUMER, batch_size=8, batch_concurrency=1):
        await _publish_behind_a_slow_one(amqp, topology, reports)

        async def all_handled() -> bool:
            return len(await _effects(admin_db)) == len(reports) + 1

        await eventually(all_handled, what="every report to be handled")
    effects = await _effects(admin_db)
    assert sorted(row["report_id"] for row in effects if row["description"] != "slow") == sorted(
        report.report_id for report in reports
    )
    per_transaction: dict[int, int] = {}
    for row in effects:
        per_transaction[row["transaction_id"]] = per_transaction.get(row["transaction_id"], 0) + 1
    assert max(per_transaction.values()) > 1, "queued events shared no transaction"
    assert max(per_transaction.values()) <= 8, "a batch is never larger than batch_size"
    assert await count(admin_db, f"{SERVICE}.inbox") == len(reports) + 1


async def test_a_failing_event_sends_its_batch_to_be_handled_one_by_one_and_alone_meets_its_fate(
    infra, amqp, topology, run_service, admin_db
):
    good = [probes.a_report(f"good {n}") for n in range(6)]
    bug = probes.a_report("bug")
    async with run_service(probes.BATCHED_CONSUMER, batch_size=16, batch_concurrency=1):
        await _publish_behind_a_slow_one(amqp, topology, [*good[:3], bug, *good[3:]])
        channel = await amqp.channel()
        letters = []

        async def dead_lettered() -> bool:
            letters.extend(await take_all(channel, topology.dead_letter_queue(SERVICE), settle=0))
            return bool(letters)

        await eventually(dead_lettered, what="the bug to be dead-lettered")

        async def good_ones_handled() -> bool:
            return len(await _effects(admin_db)) == len(good) + 1

        await eventually(good_ones_handled, what="the good reports of the failed batch to be handled")
    effects = await _effects(admin_db)
    assert sorted(row["report_id"] for row in effects if row["description"].startswith("good")) == sorted(
        report.report_id for report in good
    )
    assert [describe(letter).reason for letter in letters] == ["handler-error"]
    assert letters[0].headers["x-delivery-attempts"] == topology.delivery_limit
    assert await count(admin_db, f"{SERVICE}.inbox", "event_id::text = $1", letters[0].message_id) == 0


async def test_copies_of_one_event_in_one_batch_take_effect_once(
    infra, amqp, topology, run_service, admin_db
):
    twice = probes.a_report("sent three times")
    envelope = new_envelope(twice, source=probes.PRODUCER.source)
    async with run_service(probes.BATCHED_CONSUMER, batch_size=16, batch_concurrency=1):
        channel = await confirming_channel(amqp)
        publisher = EventPublisher(await channel.get_exchange(topology.events_exchange))
        await _publish_behind_a_slow_one(amqp, topology, [])
        for _ in range(3):
            await publisher.publish(envelope, encode_data(twice))
        marker = probes.a_report("after the copies")
        await publisher.publish(new_envelope(marker, source=probes.PRODUCER.source), encode_data(marker))

        async def marker_handled() -> bool:
            return any(row["description"] == marker.description for row in await _effects(admin_db))

        await eventually(marker_handled, what="the marker to be handled")
    effects = await _effects(admin_db)
    assert [row["description"] for row in effects].count(twice.description) == 1
    shared = {
        row["transaction_id"]
        for row in effects
        if row["description"] in (twice.description, marker.description)
    }
    assert len(shared) == 1, "the copies and the marker queued behind the slow one and went in one batch"


async def test_events_of_one_key_are_handled_in_the_order_they_arrived_even_with_batches_running_at_once(
    infra, amqp, topology, run_service, admin_db
):
    reports = [probes.a_report(f"in order {n}") for n in range(24)]  # one category: one key
    async with run_service(probes.BATCHED_CONSUMER, batch_size=3, batch_concurrency=4):
        await _publish_behind_a_slow_one(amqp, topology, reports)

        async def all_handled() -> bool:
            return len(await _effects(admin_db)) == len(reports) + 1

        await eventually(all_handled, what="every report to be handled")
    handled = await admin_db.fetch(
        f"SELECT report_id FROM {SERVICE}.effects WHERE description <> 'slow' ORDER BY id"
    )
    assert [row["report_id"] for row in handled] == [report.report_id for report in reports]
