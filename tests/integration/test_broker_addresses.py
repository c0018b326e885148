"""Several broker addresses (the nodes of a cluster): a process connects to one that answers, and a robust
connection that loses its node comes back on another."""

from __future__ import annotations

import aio_pika
from yarl import URL

from shared.messaging.connection import broker_urls, connect, connect_robust
from shared.settings import MessagingSettings
from tests.support.processes import free_port
from tests.support.waiting import eventually


def _dead_address() -> str:
    return f"amqp://guest:guest@127.0.0.1:{free_port()}/"


def test_a_setting_lists_one_address_or_several():
    assert broker_urls("amqp://a/") == ["amqp://a/"]
    assert broker_urls(" amqp://a/ , amqp://b/,") == ["amqp://a/", "amqp://b/"]
    assert MessagingSettings(rabbitmq_url="amqp://a/").broker == "amqp://a/"
    assert MessagingSettings(rabbitmq_url="amqp://a/", rabbitmq_urls="amqp://b/,amqp://c/").broker == (
        "amqp://b/,amqp://c/"
    )


async def test_a_tool_connects_to_the_address_that_answers(infra):
    connection = await connect(f"{_dead_address()},{infra.rabbitmq_url}")
    try:
        assert not connection.is_closed
    finally:
        await connection.close()


async def test_a_robust_connection_starts_on_a_live_address_whatever_comes_first(infra):
    for _ in range(4):  # the first address tried is chosen at random
        connection = await connect_robust(f"{_dead_address()},{infra.rabbitmq_url},{_dead_address()}")
        try:
            assert connection.url.port == URL(infra.rabbitmq_url).port
        finally:
            await connection.close()


async def test_a_robust_connection_whose_node_is_gone_comes_back_on_another(infra):
    connection = await connect_robust(f"{infra.rabbitmq_url},{_dead_address()}")
    try:
        connection.addresses.append(connection.addresses[0])  # dead address, then the live one again
        # The server drops the connection: the next attempt goes to the dead address, the one after to a live one.
        await connection.transport.connection.close(aio_pika.exceptions.ConnectionClosed(320, "node gone"))

        async def reconnected() -> bool:
            return connection.connected.is_set() and connection.connection_attempt >= 2

        await eventually(reconnected, timeout=30, what="the connection on the live address again")
        assert connection.url.port == URL(infra.rabbitmq_url).port
        channel = await connection.channel()
        assert await channel.declare_queue(exclusive=True)
    finally:
        await connection.close()
