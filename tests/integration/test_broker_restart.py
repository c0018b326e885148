"""Messages the broker confirmed are on disk: a full restart of a RabbitMQ node loses none of them.

The node is the test's own (tests/support/private_rabbitmq.py), on free loopback ports in a temporary folder:
the machine's broker is shared and never restarted.
"""

from __future__ import annotations

import aio_pika
import pytest

from shared.events.envelope import encode_data, new_envelope
from shared.messaging.publisher import EventPublisher, confirming_channel
from shared.messaging.topology import Topology
from tests.support import probes
from tests.support.private_rabbitmq import private_rabbitmq, why_not_available
from tests.support.queues import take_all
from tests.support.waiting import eventually


def _reconnected(connection):
    async def check() -> bool:
        return not connection.is_closed and connection.connected.is_set()

    return check


@pytest.mark.slow
async def test_confirmed_messages_survive_a_broker_restart():
    reason = why_not_available()
    if reason:
        pytest.skip(f"cannot run a RabbitMQ node of its own: {reason}")
    topology = Topology(namespace="restart.", delivery_limit=3)
    async with private_rabbitmq() as broker:
        robust = await aio_pika.connect_robust(broker.url)
        connection = await aio_pika.connect(broker.url)
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

        await broker.restart()

        try:
            await eventually(_reconnected(robust), timeout=60, what="a robust connection to come back")
        finally:
            await robust.close()
        connection = await aio_pika.connect(broker.url)
        try:
            channel = await connection.channel()
            received = await take_all(channel, queue["hazard.reported"].name, settle=1.0)
            assert [message.message_id for message in received] == sent
            assert all(message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT for message in received)
        finally:
            await connection.close()
