"""Dead letters: what could not be processed, with the reason, kept for an operator to inspect and requeue.

Also the copy of a failed message that waits in a delay queue for its next attempt: both carry the attempts so
far, and a requeued letter starts again from none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from shared.messaging.topology import Topology

REASON = "x-dead-letter-reason"
DETAIL = "x-dead-letter-detail"
ORIGINAL_QUEUE = "x-original-queue"
ORIGINAL_ROUTING_KEY = "x-original-routing-key"
DEAD_LETTERED_AT = "x-dead-lettered-at"
ATTEMPTS = "x-delivery-attempts"
_OUR_HEADERS = (REASON, DETAIL, ORIGINAL_QUEUE, ORIGINAL_ROUTING_KEY, DEAD_LETTERED_AT, ATTEMPTS)
_BROKER_HEADERS = (
    "x-death",
    "x-first-death-exchange",
    "x-first-death-queue",
    "x-first-death-reason",
    "x-last-death-exchange",
    "x-last-death-queue",
    "x-last-death-reason",
    "x-delivery-count",
)
_MAX_DETAIL = 2000


def publishable(value: Any) -> Any:
    """Header values as they can be sent again: a long string that was not UTF-8 arrives as bytes, which the
    client cannot encode, so it travels on as a byte array."""
    if isinstance(value, bytes):
        return bytearray(value)
    if isinstance(value, dict):
        return {key: publishable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [publishable(item) for item in value]
    return value


def _copy(message: AbstractIncomingMessage, headers: dict[str, Any]) -> aio_pika.Message:
    return aio_pika.Message(
        body=message.body,
        headers=publishable(headers),
        content_type=message.content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message.message_id,
        correlation_id=message.correlation_id,
        timestamp=message.timestamp,
        type=message.type,
        app_id=message.app_id,
    )


def dead_letter_copy(
    message: AbstractIncomingMessage, *, queue: str, reason: str, detail: str, attempts: int
) -> aio_pika.Message:
    """The message as it came, plus why it is dead and where it came from."""
    headers = dict(message.headers or {})
    headers.update(
        {
            REASON: reason,
            DETAIL: detail[:_MAX_DETAIL],
            ORIGINAL_QUEUE: queue,
            ORIGINAL_ROUTING_KEY: _original_routing_key(message),
            DEAD_LETTERED_AT: datetime.now(UTC).isoformat(),
            ATTEMPTS: attempts,
        }
    )
    return _copy(message, headers)


def retry_copy(message: AbstractIncomingMessage, *, attempts: int) -> aio_pika.Message:
    """The message as it came, to be tried again: the attempts so far travel with it; what the broker added on
    its way through a delay queue does not."""
    headers = {k: v for k, v in (message.headers or {}).items() if k not in _BROKER_HEADERS}
    headers.update({ATTEMPTS: attempts, ORIGINAL_ROUTING_KEY: _original_routing_key(message)})
    return _copy(message, headers)


def _original_routing_key(message: AbstractIncomingMessage) -> str:
    """The routing key it was published with (a retried copy comes back with its delay queue's)."""
    return _text((message.headers or {}).get(ORIGINAL_ROUTING_KEY) or message.routing_key)


@dataclass(frozen=True)
class DeadLetter:
    reason: str
    detail: str
    original_queue: str
    routing_key: str
    dead_lettered_at: str
    message_id: str | None
    headers: dict[str, Any]
    body: bytes


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode(errors="replace")
    return str(value if value is not None else "")


def describe(message: AbstractIncomingMessage) -> DeadLetter:
    """Read a dead letter, whether we dead-lettered it (our headers) or the broker did (x-death)."""
    headers = dict(message.headers or {})
    original_queue = _text(headers.get(ORIGINAL_QUEUE) or headers.get("x-first-death-queue"))
    reason = _text(headers.get(REASON) or headers.get("x-first-death-reason"))
    return DeadLetter(
        reason=reason,
        detail=_text(headers.get(DETAIL)),
        original_queue=original_queue,
        routing_key=_text(headers.get(ORIGINAL_ROUTING_KEY) or message.routing_key),
        dead_lettered_at=_text(headers.get(DEAD_LETTERED_AT)),
        message_id=message.message_id,
        headers=headers,
        body=message.body,
    )


async def peek(
    channel: AbstractChannel, topology: Topology, service: str, limit: int = 100
) -> list[DeadLetter]:
    """Look at up to `limit` dead letters without removing them (they are handed back unacknowledged)."""
    queue = await channel.get_queue(topology.dead_letter_queue(service), ensure=False)
    seen: list[AbstractIncomingMessage] = []
    try:
        while len(seen) < limit:
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            seen.append(message)
        return [describe(message) for message in seen]
    finally:
        for message in seen:
            await message.nack(requeue=True)


async def requeue(
    channel: AbstractChannel,
    topology: Topology,
    service: str,
    limit: int | None = None,
    message_id: str | None = None,
) -> int:
    """Send dead letters (all, the first `limit`, or the one with `message_id`) back to the queue they came
    from, without their dead-letter headers, each once.

    A letter the consumer dead-letters again at once (still poison) comes back with the same message id: meeting
    an id it has already moved, the run ends, so it never chases the copies it caused. `channel` must have
    publisher confirms on: a letter is removed only after its copy is confirmed.
    """
    queue = await channel.get_queue(topology.dead_letter_queue(service), ensure=False)
    moved, moved_ids = 0, set()
    passed_over: list[AbstractIncomingMessage] = []
    try:
        while limit is None or moved < limit:
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            if message.message_id is not None and message.message_id in moved_ids:  # it came back
                passed_over.append(message)
                break
            if message_id is not None and message.message_id != message_id:
                passed_over.append(message)
                continue
            letter = describe(message)
            headers = {k: v for k, v in letter.headers.items() if k not in _OUR_HEADERS + _BROKER_HEADERS}
            await channel.default_exchange.publish(_copy(message, headers), routing_key=letter.original_queue)
            await message.ack()
            moved += 1
            moved_ids.add(message.message_id)
            if message_id is not None:
                break  # the one asked for
    finally:
        for message in passed_over:
            await message.nack(requeue=True)
    return moved


async def purge(channel: AbstractChannel, topology: Topology, service: str) -> int:
    queue = await channel.get_queue(topology.dead_letter_queue(service), ensure=False)
    result = await queue.purge()
    return int(result.message_count or 0)
