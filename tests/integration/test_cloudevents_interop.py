"""Events made by the official CloudEvents SDK, in its own AMQP binary form (`cloudEvents_` headers, the time as
milliseconds, no dataschema) and in structured mode, are handled by a real consumer like our own."""

from __future__ import annotations

import uuid

import aio_pika
from cloudevents.core.bindings import amqp as cloudevents_amqp
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from shared.messaging.publisher import confirming_channel
from tests.support import probes
from tests.support.db import count
from tests.support.queues import take_all
from tests.support.waiting import eventually


def _sdk_event(description: str) -> CloudEvent:
    report = probes.a_report(description)
    return CloudEvent(
        attributes={
            "type": "hazard.reported",
            "source": "/elsewhere/sdk",
            "datacontenttype": "application/json",
        },
        data=report.model_dump(mode="json"),
    )


def _as_amqp_message(message: cloudevents_amqp.AMQPMessage) -> aio_pika.Message:
    return aio_pika.Message(
        message.application_data,
        headers=message.application_properties,
        content_type=message.properties.get("content-type"),
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


async def test_events_from_the_official_sdk_in_binary_and_structured_mode_are_handled(
    infra, amqp, topology, run_service, admin_db
):
    binary = _sdk_event("from the SDK, binary mode")
    structured = _sdk_event("from the SDK, structured mode")
    binary_message = cloudevents_amqp.to_binary(binary, JSONFormat())
    structured_message = cloudevents_amqp.to_structured(structured, JSONFormat())
    assert "cloudEvents_type" in binary_message.application_properties
    assert isinstance(binary_message.application_properties["cloudEvents_time"], int)
    assert structured_message.properties["content-type"].startswith("application/cloudevents+json")

    async with run_service(probes.CONSUMER):
        channel = await confirming_channel(amqp)
        exchange = await channel.get_exchange(topology.events_exchange)
        for message in (binary_message, structured_message):
            await exchange.publish(_as_amqp_message(message), routing_key="hazard.reported", mandatory=True)

        async def both_handled() -> bool:
            return await count(admin_db, "probe_consumer.effects", "description LIKE 'from the SDK%'") == 2

        await eventually(both_handled, what="both events made by the SDK to be handled")
    for event in (binary, structured):
        event_id = uuid.UUID(event.get_id())
        assert await count(admin_db, "probe_consumer.effects", "event_id = $1", event_id) == 1
        assert await count(admin_db, "probe_consumer.inbox", "event_id = $1", event_id) == 1
    assert await take_all(channel, topology.dead_letter_queue("probe_consumer")) == []
