"""Names and declarations of exchanges and queues.

One durable topic exchange carries every domain event, routed by event type. Each service consumes through its
own durable quorum queues, `<service>.<event type>`, with a delivery limit; what cannot be processed ends in the
service's `<service>.dead-letter` queue through the dead-letter exchange.

A failed message waits for its next attempt in a delay queue, not in the consumer's hands. Per-message TTLs in
one queue would wait behind the head (a 15 s message in front of a 0.5 s one), so each back-off level has its own
queue, `<service>.retry-<ms>ms`, with `x-message-ttl`. The retry exchange routes `<level>.<queue name>` to the
level's queue; when the TTL expires the broker dead-letters the message, with that same routing key, to the
retry-return exchange, where each consumer queue is bound by `*.<its queue name>`: it comes back to exactly the
queue it came from, and to no other.
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
    retry_backoff_seconds: float = 0.5  # the wait after the first failure; doubles with each attempt
    retry_backoff_max_seconds: float = 15.0

    @property
    def events_exchange(self) -> str:
        return f"{self.namespace}grassroots.events"

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.namespace}grassroots.dead-letter"

    @property
    def retry_exchange(self) -> str:
        return f"{self.namespace}grassroots.retry"

    @property
    def retry_return_exchange(self) -> str:
        return f"{self.namespace}grassroots.retry-return"

    @property
    def exchanges(self) -> list[str]:
        return [
            self.events_exchange,
            self.dead_letter_exchange,
            self.retry_exchange,
            self.retry_return_exchange,
        ]

    def queue(self, service: str, purpose: str) -> str:
        return f"{self.namespace}{service}.{purpose}"

    def dead_letter_queue(self, service: str) -> str:
        return self.queue(service, "dead-letter")

    def retry_delay_ms(self, attempt: int) -> int:
        """How long a message waits after its `attempt`-th failure."""
        seconds = min(self.retry_backoff_max_seconds, self.retry_backoff_seconds * 2 ** (attempt - 1))
        return max(1, round(seconds * 1000))

    def retry_levels_ms(self) -> list[int]:
        """The back-off levels, one delay queue each: every wait an attempt before the last may need."""
        return sorted({self.retry_delay_ms(attempt) for attempt in range(1, self.delivery_limit)})

    def retry_queue(self, service: str, delay_ms: int) -> str:
        return self.queue(service, f"retry-{delay_ms}ms")

    def retry_queues(self, service: str) -> list[str]:
        return [self.retry_queue(service, delay_ms) for delay_ms in self.retry_levels_ms()]

    @staticmethod
    def retry_routing_key(delay_ms: int, queue: str) -> str:
        return f"{delay_ms}ms.{queue}"

    def queue_arguments(self, service: str) -> dict[str, object]:
        return {
            "x-queue-type": "quorum",
            "x-delivery-limit": self.delivery_limit,
            "x-dead-letter-exchange": self.dead_letter_exchange,
            "x-dead-letter-routing-key": service,
        }

    def retry_queue_arguments(self, delay_ms: int) -> dict[str, object]:
        return {
            "x-queue-type": "quorum",
            "x-message-ttl": delay_ms,
            "x-dead-letter-exchange": self.retry_return_exchange,
            # no x-dead-letter-routing-key: the message keeps `<level>.<queue name>`, which finds its queue
            "x-dead-letter-strategy": "at-least-once",  # the broker keeps it until the return is confirmed
            "x-overflow": "reject-publish",  # what at-least-once dead-lettering requires
        }

    async def declare_exchanges(self, channel: AbstractChannel) -> AbstractExchange:
        """Declare every exchange; return the events exchange."""
        passive = self.exchanges_predeclared
        await channel.declare_exchange(
            self.dead_letter_exchange, aio_pika.ExchangeType.DIRECT, durable=True, passive=passive
        )
        for name in (self.retry_exchange, self.retry_return_exchange):
            await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True, passive=passive)
        return await channel.declare_exchange(
            self.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True, passive=passive
        )

    async def declare_service(
        self, channel: AbstractChannel, service: str, event_types: list[str]
    ) -> dict[str, AbstractQueue]:
        """Declare a service's dead-letter queue, its delay queues, and one bound queue per consumed event type."""
        events = await self.declare_exchanges(channel)
        dead_letters = await channel.declare_queue(
            self.dead_letter_queue(service), durable=True, arguments={"x-queue-type": "quorum"}
        )
        await dead_letters.bind(self.dead_letter_exchange, routing_key=service)
        await self._declare_delay_queues(channel, service)
        queues: dict[str, AbstractQueue] = {}
        for event_type in event_types:
            queue = await channel.declare_queue(
                self.queue(service, event_type), durable=True, arguments=self.queue_arguments(service)
            )
            await queue.bind(events, routing_key=event_type)
            await queue.bind(self.retry_return_exchange, routing_key=f"*.{queue.name}")
            queues[event_type] = queue
        return queues

    async def _declare_delay_queues(self, channel: AbstractChannel, service: str) -> None:
        for delay_ms in self.retry_levels_ms():
            queue = await channel.declare_queue(
                self.retry_queue(service, delay_ms),
                durable=True,
                arguments=self.retry_queue_arguments(delay_ms),
            )
            await queue.bind(
                self.retry_exchange, routing_key=self.retry_routing_key(delay_ms, self.queue(service, "#"))
            )
