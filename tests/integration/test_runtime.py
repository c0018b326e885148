"""The service runtime: health endpoints, and a graceful stop that finishes the messages in hand."""

from __future__ import annotations

import asyncio

import httpx

from services import SERVICE_NAMES, definition_of
from shared.events.envelope import encode_data, new_envelope
from shared.messaging.publisher import EventPublisher, confirming_channel
from shared.runtime.app import create_app
from shared.runtime.service import ServiceRuntime
from tests.support import probes
from tests.support.db import count
from tests.support.queues import take_all
from tests.support.waiting import eventually


async def test_every_service_starts_and_reports_ready(infra, settings_for):
    for name in SERVICE_NAMES:
        definition = definition_of(name)
        app = create_app(definition, settings_for(definition))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                health = await client.get("/healthz")
                ready = await client.get("/readyz")
        assert health.json() == {"status": "ok", "service": name}
        assert ready.status_code == 200, ready.text
        supervised = ["outbox_relay", "retention", *(task.__name__ for task in definition.background)]
        own = {"channels": "ok"} if name == "notify" else {}  # the definition's own readiness hook
        assert ready.json()["checks"] == {**dict.fromkeys(["database", "broker", *supervised], "ok"), **own}


async def test_readiness_fails_when_the_database_is_unreachable(infra, settings_for):
    definition = definition_of("patrol")
    runtime = ServiceRuntime(definition, settings_for(definition))
    await runtime.start()
    try:
        assert runtime.pool is not None
        await runtime.pool.close()
        checks = await runtime.readiness()
    finally:
        runtime.pool = None
        await runtime.stop()
    assert checks["database"].startswith("unavailable")
    assert checks["broker"] == "ok"


async def test_a_graceful_stop_finishes_the_message_in_hand(infra, amqp, topology, run_service, admin_db):
    slow = probes.a_report("slow")
    async with run_service(probes.CONSUMER) as runtime:
        channel = await confirming_channel(amqp)
        publisher = EventPublisher(await channel.get_exchange(topology.events_exchange))
        await publisher.publish(new_envelope(slow, source="/tests"), encode_data(slow))
        assert runtime.consumer is not None
        await eventually(lambda: _in_hand(runtime), what="the slow message to be in hand")
    # The block's exit stopped the service while the handler was still sleeping.
    assert await count(admin_db, "probe_consumer.effects", "description = 'slow'") == 1
    assert await take_all(channel, topology.queue("probe_consumer", "hazard.reported")) == []


async def _in_hand(runtime: ServiceRuntime) -> bool:
    await asyncio.sleep(0)
    return runtime.consumer is not None and runtime.consumer.in_flight > 0
