"""Publishing events: persistent, mandatory, and confirmed by the broker."""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection
from aiormq.exceptions import PublishError

from shared.events.envelope import CONTENT_TYPE, Envelope


class Unroutable(Exception):
    """The broker had no queue bound for this event type and returned the message."""


def build_message(envelope: Envelope, body: bytes) -> aio_pika.Message:
    return aio_pika.Message(
        body=body,
        headers=envelope.to_headers(),
        content_type=CONTENT_TYPE,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=str(envelope.id),
        correlation_id=str(envelope.correlation_id),
        timestamp=envelope.time,
        type=envelope.type,
        app_id=envelope.source,
    )


async def confirming_channel(connection: AbstractRobustConnection) -> AbstractChannel:
    """A channel whose publishes wait for the broker's confirm and raise when the message is returned."""
    return await connection.channel(publisher_confirms=True, on_return_raises=True)


class EventPublisher:
    """Publishes enveloped events to the events exchange, routing key = event type."""

    def __init__(self, exchange: AbstractExchange) -> None:
        self._exchange = exchange

    async def publish(self, envelope: Envelope, body: bytes) -> None:
        """Return once the broker confirmed the message; raise Unroutable if no queue took it."""
        try:
            await self._exchange.publish(
                build_message(envelope, body), routing_key=envelope.type, mandatory=True
            )
        except PublishError as returned:
            raise Unroutable(f"{envelope.type}: {returned}") from returned
