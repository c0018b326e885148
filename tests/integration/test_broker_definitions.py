"""The deployment's broker definitions give each service exactly its own queues, and the events exchange to write."""

from __future__ import annotations

import json
import subprocess
import uuid

import aio_pika
import aiormq
import pytest

from ops.broker_definitions import definitions, password_hash
from services import SERVICE_NAMES
from shared.messaging.topology import Topology
from tests.support.broker import can_restart


def test_passwords_are_never_stored_in_clear_and_each_hash_has_its_own_salt():
    document = definitions({name: "pw-secret" for name in SERVICE_NAMES}, ("admin", "pw-admin"))
    assert "pw-secret" not in json.dumps(document)
    assert password_hash("secret") != password_hash("secret")
    # That RabbitMQ accepts these hashes is shown below: the service user logs in with its password.


@pytest.fixture
def loaded_definitions(infra):
    """This test's own vhost, exchanges and service users, loaded with rabbitmqctl import_definitions."""
    reason = can_restart(infra.rabbitmq_url)
    if reason:
        pytest.skip(f"needs rabbitmqctl and the broker on this machine: {reason}")
    run = uuid.uuid4().hex[:8]
    vhost, prefix = f"grassroots-defs-{run}", f"t{run}-"
    document = definitions(
        {name: f"pw-{name}" for name in SERVICE_NAMES},
        (f"{prefix}admin", "pw-admin"),
        Topology(),
        vhost=vhost,
        user_prefix=prefix,
    )
    path = f"/tmp/{vhost}.json"
    with open(path, "w") as out:
        json.dump(document, out)
    subprocess.run(["rabbitmqctl", "import_definitions", path], check=True, capture_output=True)
    yield vhost, prefix
    for user in [f"{prefix}admin"] + [f"{prefix}{name}" for name in SERVICE_NAMES]:
        subprocess.run(["rabbitmqctl", "delete_user", user], capture_output=True)
    subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True)


async def test_a_service_user_may_use_its_own_queues_and_publish_events_but_nothing_else(
    infra, loaded_definitions
):
    vhost, prefix = loaded_definitions
    url = f"amqp://{prefix}patrol:pw-patrol@127.0.0.1:5672/{vhost}"
    topology = Topology(exchanges_predeclared=True)
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        queues = await topology.declare_service(channel, "patrol", ["dispatch.assigned"])
        assert "dispatch.assigned" in queues
        events = await channel.get_exchange(topology.events_exchange)
        await events.publish(aio_pika.Message(b"{}"), routing_key="dispatch.assigned")
        retry = await channel.get_exchange(topology.retry_exchange)
        own_delay = topology.retry_routing_key(
            topology.retry_levels_ms()[0], queues["dispatch.assigned"].name
        )
        await retry.publish(aio_pika.Message(b"{}"), routing_key=own_delay)

        for forbidden in (
            lambda ch: ch.declare_queue("dispatch.hazard.reported", durable=True),
            lambda ch: ch.declare_exchange(
                topology.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True
            ),
            lambda ch: ch.declare_exchange("rogue", aio_pika.ExchangeType.FANOUT),
            lambda ch: ch.declare_queue(topology.retry_queues("dispatch")[0], durable=True),
            lambda ch: _publish(ch, topology.retry_exchange, "500ms.dispatch.hazard.reported"),
            lambda ch: _publish(ch, topology.retry_return_exchange, "500ms.patrol.dispatch.assigned"),
            lambda ch: _bind(ch, topology.retry_return_exchange, "*.dispatch.hazard.reported"),
            lambda ch: _bind(ch, topology.retry_exchange, "500ms.dispatch.#"),
        ):
            other = await connection.channel()
            with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
                await forbidden(other)
    finally:
        await connection.close()


async def _publish(channel, exchange: str, routing_key: str) -> None:
    target = await channel.get_exchange(exchange, ensure=False)
    await target.publish(aio_pika.Message(b"{}"), routing_key=routing_key)
    await channel.declare_queue(exclusive=True)  # a refused publish closes the channel: the next call raises


async def _bind(channel, exchange: str, routing_key: str) -> None:
    queue = await channel.get_queue("patrol.dispatch.assigned", ensure=False)
    await queue.bind(exchange, routing_key=routing_key)
