"""Looking into queues from a test. Quorum queues report their length late, so tests take messages instead."""

from __future__ import annotations

import asyncio

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage


async def take_all(
    channel: AbstractChannel, queue_name: str, *, settle: float = 0.3
) -> list[AbstractIncomingMessage]:
    """Take (and acknowledge) every message in the queue, waiting `settle` seconds for stragglers."""
    queue = await channel.get_queue(queue_name, ensure=False)
    taken: list[AbstractIncomingMessage] = []
    while True:
        message = await queue.get(no_ack=False, fail=False)
        if message is None:
            await asyncio.sleep(settle)
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                return taken
        await message.ack()
        taken.append(message)
