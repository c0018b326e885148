"""Messages the broker confirmed are on disk: a full restart of the RabbitMQ node loses none of them."""

from __future__ import annotations

import aio_pika
import pytest

from shared.events.envelope import encode_data, new_envelope
from shared.messaging.publisher import EventPublisher, confirming_channel
from tests.support import probes
from tests.support.broker import can_restart, restart_local_broker
from tests.support.queues import take_all
from tests.support.waiting import eventually


def _reconnected(connection):
    async def check() -> bool:
        return not connection.is_closed and connection.connected.is_set()

    return check


@pytest.mark.slow
async def test_confirmed_messages_survive_a_broker_restart(infra, amqp, topology):
    reason = can_restart(infra.rabbitmq_url)
    if reason:
        pytest.skip(f"cannot restart the broker: {reason}")
    connection = await aio_pika.connect(infra.rabbitmq_url)
    channel = await confirming_channel(connection)
    events = await topology.declare_exchanges(channel)
    queue = await topology.declare_service(channel, "probe_consumer", ["hazard.reported"])
    publisher = EventPublisher(events)
    sent = []
    for n in range(200):
        report = probes.a_report(f"before the restart {n}")
        envelope = new_envelope(report, source=probes.PRODUCER.source)
        await publisher.publish(envelope, encode_data(report))
        sent.append(str(envelope.id))
    await connection.close()

    await restart_local_broker()

    await eventually(_reconnected(amqp), timeout=60, what="the fixtures' robust connection to come back")
    connection = await aio_pika.connect(infra.rabbitmq_url)
    try:
        channel = await connection.channel()
        received = await take_all(channel, queue["hazard.reported"].name, settle=1.0)
        assert [message.message_id for message in received] == sent
        assert all(message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT for message in received)
    finally:
        await connection.close()
