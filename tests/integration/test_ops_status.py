"""`python -m ops status` against a running service (training as a process), the real broker and database."""

from __future__ import annotations

import json
import os

import aio_pika

from services import SERVICE_NAMES
from tests.support import ops_cli
from tests.support.processes import free_port, service_process
from tests.support.waiting import eventually


async def test_status_shows_readiness_outbox_queues_consumers_and_dead_letters(infra, amqp, topology):
    port = free_port()
    nobody = free_port()  # the other services are not running: nothing answers there
    urls = {f"{name.upper()}_URL": f"http://127.0.0.1:{nobody}" for name in SERVICE_NAMES}
    urls["TRAINING_URL"] = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "RABBITMQ_URL": infra.rabbitmq_url,
        "AMQP_NAMESPACE": topology.namespace,
        "DATABASE_URL": infra.database_url("training"),
        "LOG_LEVEL": "WARNING",
    }
    async with service_process("training", env, port):
        channel = await amqp.channel()
        events = await channel.get_exchange(topology.events_exchange)
        await events.publish(
            aio_pika.Message(b"{not json", content_type="application/json"), "issue.resolved"
        )
        dead_letter_queue = topology.dead_letter_queue("training")

        async def dead_lettered() -> bool:
            queue = await channel.declare_queue(dead_letter_queue, passive=True, robust=False)
            return queue.declaration_result.message_count == 1

        await eventually(dead_lettered, what="the poison message dead-lettered")
        os.environ.update(urls)
        try:
            code, out, err = await ops_cli.run(infra, topology.namespace, "status", "--json")
            _, text, _ = await ops_cli.run(infra, topology.namespace, "status")
        finally:
            for key in urls:
                os.environ.pop(key)
        await channel.close()

    assert code == 1, "a service not ready (and a dead letter) is not a healthy system"
    statuses = {status["service"]: status for status in map(json.loads, out.splitlines())}
    assert set(statuses) == set(SERVICE_NAMES), err
    training = statuses["training"]
    assert training["ready"] == "ready"
    assert training["dead_letters"] == 1
    assert training["outbox_waiting"] is not None
    assert training["queues"] == [
        {"name": topology.queue("training", "issue.resolved"), "messages": 0, "consumers": 1}
    ]
    assert statuses["patrol"]["ready"].startswith("unreachable")
    assert statuses["patrol"]["dead_letters"] is None, "patrol never ran here: no dead-letter queue"
    assert all(queue["messages"] is None for queue in statuses["patrol"]["queues"])
    assert "training  ready" in text and "dead letters 1" in text
