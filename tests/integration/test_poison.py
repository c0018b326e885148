"""Whatever a message holds, the consumer settles it: poison of every kind is dead-lettered with its reason and
never holds a prefetch slot, so a good message behind more poison than PREFETCH still goes through."""

from __future__ import annotations

import uuid

import aio_pika
import pytest
import structlog

from shared.events.envelope import encode_data, new_envelope
from shared.messaging.dead_letters import describe, requeue
from shared.messaging.publisher import EventPublisher, confirming_channel
from tests.support import probes
from tests.support.db import count
from tests.support.queues import take_all
from tests.support.waiting import eventually


class _RawText(str):
    """A long-string header whose bytes are not UTF-8 (pamqp encodes a str by calling its encode)."""

    def __new__(cls, raw: bytes) -> _RawText:
        text = super().__new__(cls, raw.decode("latin-1"))
        text.raw = raw
        return text

    def encode(self, *args: object, **kwargs: object) -> bytes:
        return self.raw


DEEP = b"[" * 100_000 + b"]" * 100_000
HUGE_INTEGER = b"9" * 5_000


def _poison() -> list[tuple[str, bytes, dict[str, object], str]]:
    """(what, body, headers, the reason it is dead-lettered with)."""
    report = probes.a_report()
    body = encode_data(report)
    headers = new_envelope(report, source=probes.PRODUCER.source).to_headers()

    def changed(**change: object) -> dict[str, object]:
        return {**headers, "cloudEvents_id": str(uuid.uuid4()), **change}

    schema = "urn:grassroots:event:hazard.reported:v"
    return [
        ("JSON nested 100,000 deep", DEEP, changed(), "invalid-json"),
        ("an integer of 5,000 digits", b'{"report_id": ' + HUGE_INTEGER + b"}", changed(), "invalid-json"),
        ("a version of 5,000 digits", body, changed(**{"cloudEvents_dataschema": schema + "9" * 5_000}), "invalid-envelope"),
        ("a version in other digits", body, changed(**{"cloudEvents_dataschema": schema + "١"}), "invalid-envelope"),
        ("a header that is not UTF-8", body, changed(**{"cloudEvents_source": _RawText(b"\xff\xfe")}), "invalid-envelope"),
        ("a header of another AMQP type", body, changed(**{"cloudEvents_source": 1_700_000_000}), "invalid-envelope"),
        ("a header that is a byte array", body, changed(**{"cloudEvents_source": bytearray(b"x")}), "invalid-envelope"),
        ("a header that is a table", body, changed(**{"cloudEvents_type": {"a": 1}}), "invalid-envelope"),
        ("a body of 0 bytes", b"", changed(), "invalid-json"),
        ("a body that is not UTF-8", b"\xff\xfe{}", changed(), "invalid-json"),
        ("a time no UTC instant holds", body, changed(**{"cloudEvents_time": "9999-12-31T23:59:59-23:59"}), "invalid-envelope"),
        ("a time before year 1 in UTC", body, changed(**{"cloudEvents_time": "0001-01-01T00:00:00+01:00"}), "invalid-envelope"),
    ]  # fmt: skip


@pytest.fixture
async def channel(amqp):
    channel = await confirming_channel(amqp)
    yield channel
    await channel.close()


async def test_every_kind_of_poison_is_dead_lettered_with_its_reason(
    infra, topology, run_service, admin_db, channel
):
    poison = _poison()
    async with run_service(probes.CONSUMER):
        exchange = await channel.get_exchange(topology.events_exchange)
        for _, body, headers, _ in poison:
            await exchange.publish(aio_pika.Message(body, headers=headers), routing_key="hazard.reported")
        letters = []

        async def all_dead_lettered() -> bool:
            letters.extend(await take_all(channel, topology.dead_letter_queue("probe_consumer"), settle=0))
            return len(letters) >= len(poison)

        await eventually(all_dead_lettered, what="every poison message to be dead-lettered")
    reasons = {describe(letter).headers["cloudEvents_id"]: describe(letter).reason for letter in letters}
    assert {what: reasons.get(headers["cloudEvents_id"]) for what, _, headers, _ in poison} == {
        what: reason for what, _, _, reason in poison
    }
    assert all(len(describe(letter).detail) <= 2000 for letter in letters)
    assert await count(admin_db, "probe_consumer.effects") == 0


async def test_a_good_message_behind_more_poison_than_prefetch_is_handled(
    infra, topology, run_service, admin_db, channel
):
    kinds = _poison()
    async with run_service(probes.CONSUMER):  # PREFETCH 32: 40 unsettled messages would stop it
        exchange = await channel.get_exchange(topology.events_exchange)
        for n in range(40):
            _, body, headers, _ = kinds[n % len(kinds)]
            headers = {**headers, "cloudEvents_id": str(uuid.uuid4())}
            await exchange.publish(aio_pika.Message(body, headers=headers), routing_key="hazard.reported")
        good = probes.a_report("the good one after 40 poison messages")
        await EventPublisher(exchange).publish(
            new_envelope(good, source=probes.PRODUCER.source), encode_data(good)
        )
        await eventually(
            lambda: count(admin_db, "probe_consumer.effects", "description = $1", good.description),
            what="the good message behind the poison to be handled",
        )
        letters = []

        async def forty_dead_letters() -> bool:
            letters.extend(await take_all(channel, topology.dead_letter_queue("probe_consumer"), settle=0))
            return len(letters) >= 40

        await eventually(forty_dead_letters, what="the 40 poison messages to be dead-lettered")
    assert len(letters) == 40


async def test_requeue_moves_each_dead_letter_once_though_the_consumer_sends_it_straight_back(
    infra, topology, run_service, channel
):
    """Requeued poison is poison again at once: the tool must not keep reading the copies it caused."""
    dead_letters = topology.dead_letter_queue("probe_consumer")
    with structlog.testing.capture_logs() as logs:
        async with run_service(probes.CONSUMER):
            exchange = await channel.get_exchange(topology.events_exchange)
            ids = []
            for _ in range(4):
                headers = {**_poison()[8][2], "cloudEvents_id": str(uuid.uuid4())}  # a body of 0 bytes
                ids.append(headers["cloudEvents_id"])
                message = aio_pika.Message(b"", headers=headers, message_id=headers["cloudEvents_id"])
                await exchange.publish(message, routing_key="hazard.reported")

            def dead_lettered(times: int):
                async def check() -> bool:
                    lines = [line for line in logs if line["event"] == "poison message dead-lettered"]
                    return len(lines) >= times

                return check

            await eventually(dead_lettered(4), what="four dead letters")
            assert await requeue(channel, topology, "probe_consumer") == 4
            await eventually(dead_lettered(8), what="the four dead-lettered again by the consumer")
            assert await requeue(channel, topology, "probe_consumer", message_id=ids[2]) == 1
            await eventually(dead_lettered(9), what="that one dead-lettered again")
        letters = await take_all(channel, dead_letters)
    assert sorted(letter.message_id for letter in letters) == sorted(ids)
