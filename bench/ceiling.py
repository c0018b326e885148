"""The ceiling: a plain aio-pika relay over the same broker, with the same durability as the pipeline.

publish (persistent, confirmed) → quorum queue A → consume, republish (confirmed), ack → quorum queue B → sink.
Its throughput is what one hop of the pipeline could do at best on this machine, with no database at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass

import aio_pika

from bench.measure import Percentiles, percentiles

QUORUM = {"x-queue-type": "quorum"}


@dataclass(frozen=True)
class CeilingResult:
    messages: int
    seconds: float
    latency_ms: Percentiles

    @property
    def throughput(self) -> float:
        return self.messages / self.seconds

    def as_dict(self, body_size: int) -> dict[str, object]:
        return {
            "messages": self.messages,
            "body_size": body_size,
            "seconds": round(self.seconds, 2),
            "throughput": round(self.throughput, 1),
            "latency_ms": {k: round(v, 1) for k, v in self.latency_ms.as_dict().items()},
        }


async def run_ceiling(url: str, *, messages: int, body_size: int, prefetch: int = 64) -> CeilingResult:
    run = uuid.uuid4().hex[:8]
    first, second = f"bench-{run}.relay-in", f"bench-{run}.relay-out"
    publisher, relay, sink = [await aio_pika.connect(url) for _ in range(3)]
    try:
        setup = await publisher.channel()
        for name in (first, second):
            await setup.declare_queue(name, durable=True, arguments=QUORUM)
        sent_at: dict[str, float] = {}
        latencies: list[float] = []
        done = asyncio.Event()

        relay_in = await relay.channel()
        await relay_in.set_qos(prefetch_count=prefetch)
        relay_out = await relay.channel(publisher_confirms=True)

        async def forward(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            copy = aio_pika.Message(
                message.body,
                headers=message.headers,
                message_id=message.message_id,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            await relay_out.default_exchange.publish(copy, routing_key=second)
            await message.ack()

        sink_channel = await sink.channel()
        await sink_channel.set_qos(prefetch_count=prefetch)

        async def receive(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            await message.ack()
            latencies.append(time.perf_counter() - sent_at[message.message_id or ""])
            if len(latencies) == messages:
                done.set()

        relay_queue = await relay_in.get_queue(first)
        sink_queue = await sink_channel.get_queue(second)
        consumers = [
            (relay_queue, await relay_queue.consume(forward)),
            (sink_queue, await sink_queue.consume(receive)),
        ]

        confirm_channel = await publisher.channel(publisher_confirms=True)
        body = b"x" * body_size
        started = time.perf_counter()
        in_flight: set[asyncio.Task] = set()
        for n in range(messages):
            message_id = f"{run}-{n}"
            sent_at[message_id] = time.perf_counter()
            message = aio_pika.Message(
                body, message_id=message_id, delivery_mode=aio_pika.DeliveryMode.PERSISTENT
            )
            task = asyncio.create_task(confirm_channel.default_exchange.publish(message, routing_key=first))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            if len(in_flight) >= 256:  # a window of unconfirmed publishes, as the outbox relay batches
                await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
        await asyncio.gather(*in_flight)
        await asyncio.wait_for(done.wait(), timeout=300)
        elapsed = time.perf_counter() - started
        for queue, tag in consumers:  # stop consuming first: deleting a consumed queue cancels its consumer
            await queue.cancel(tag)
        return CeilingResult(messages, elapsed, percentiles([latency * 1000 for latency in latencies]))
    finally:
        with contextlib.suppress(Exception):  # durable queues: never leave them behind, even after a failure
            cleanup = await publisher.channel()
            for name in (first, second):
                await cleanup.queue_delete(name)
        for connection in (publisher, relay, sink):
            await connection.close()
