"""Following the live event stream through a private, temporary queue."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from aio_pika.abc import AbstractConnection, AbstractIncomingMessage

from shared.events.envelope import Envelope, PoisonMessage, read_message
from shared.messaging.topology import Topology


@dataclass(frozen=True)
class Filters:
    types: Sequence[str] = ("#",)
    correlation_id: uuid.UUID | None = None
    subject: str | None = None

    def admit(self, envelope: Envelope) -> bool:
        if self.correlation_id is not None and envelope.correlation_id != self.correlation_id:
            return False
        return self.subject is None or envelope.subject == self.subject


async def follow(
    connection: AbstractConnection, topology: Topology, filters: Filters
) -> AsyncIterator[tuple[Envelope | None, AbstractIncomingMessage]]:
    """Every event published from now on that passes the filters (type patterns use AMQP topic syntax:
    `hazard.*`, `dispatch.#`). Messages that are not CloudEvents come with a None envelope."""
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=256)
    exchange = await channel.get_exchange(topology.events_exchange, ensure=True)
    queue = await channel.declare_queue(exclusive=True, auto_delete=True, durable=False)
    for pattern in filters.types:
        await queue.bind(exchange, routing_key=pattern)
    try:
        async with queue.iterator(no_ack=True) as messages:
            async for message in messages:
                try:
                    envelope, _ = read_message(message.headers or {}, message.body, message.content_type)
                except PoisonMessage:
                    if filters.correlation_id is None and filters.subject is None:
                        yield None, message
                    continue
                if filters.admit(envelope):
                    yield envelope, message
    finally:
        await channel.close()
