"""Names and declarations of exchanges and queues.

One durable topic exchange carries every domain event, routed by event type. Each service consumes through its
own durable quorum queues, `<service>.<event type>`, with a delivery limit; what cannot be processed ends in the
service's `<service>.dead-letter` queue through the dead-letter exchange.
"""

from __future__ import annotations

from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue


@dataclass(frozen=True)
class Topology:
    namespace: str = ""
    delivery_limit: int = 5
    exchanges_predeclared: bool = False  # the broker's definitions made them: only check they are there

    @property
    def events_exchange(self) -> str:
        return f"{self.namespace}grassroots.events"

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.namespace}grassroots.dead-letter"

    def queue(self, service: str, purpose: str) -> str:
        return f"{self.namespace}{service}.{purpose}"

    def dead_letter_queue(self, service: str) -> str:
        return self.queue(service, "dead-letter")

    def queue_arguments(self, service: str) -> dict[str, object]:
        return {
            "x-queue-type": "quorum",
            "x-delivery-limit": self.delivery_limit,
            "x-dead-letter-exchange": self.dead_letter_exchange,
            "x-dead-letter-routing-key": service,
        }

    async def declare_exchanges(self, channel: AbstractChannel) -> AbstractExchange:
        """Declare both exchanges; return the events exchange."""
        passive = self.exchanges_predeclared
        await channel.declare_exchange(
            self.dead_letter_exchange, aio_pika.ExchangeType.DIRECT, durable=True, passive=passive
        )
        return await channel.declare_exchange(
            self.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True, passive=passive
        )

    async def declare_service(
        self, channel: AbstractChannel, service: str, event_types: list[str]
    ) -> dict[str, AbstractQueue]:
        """Declare a service's dead-letter queue and one bound queue per consumed event type."""
        events = await self.declare_exchanges(channel)
        dead_letters = await channel.declare_queue(
            self.dead_letter_queue(service), durable=True, arguments={"x-queue-type": "quorum"}
        )
        await dead_letters.bind(self.dead_letter_exchange, routing_key=service)
        queues: dict[str, AbstractQueue] = {}
        for event_type in event_types:
            queue = await channel.declare_queue(
                self.queue(service, event_type), durable=True, arguments=self.queue_arguments(service)
            )
            await queue.bind(events, routing_key=event_type)
            queues[event_type] = queue
        return queues
