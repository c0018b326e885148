"""The consumer: each message is parsed, checked, handled once, and acknowledged; failures follow one policy.

- A message that can never be processed (bad JSON, unknown type or version, invalid payload) is dead-lettered
  at once with its reason, and the consumer goes on.
- Any other failure is tried again after a back-off that holds no prefetch slot: a copy waits in a delay queue
  (shared.messaging.topology) and the message is acknowledged; at the last attempt allowed, it is dead-lettered
  with the error as its reason. Transient errors (a deadlock) and bugs differ only in the log.
- A failure because the database cannot be reached is nobody's fault: the message stays in hand, the process
  takes no new work, and once the database answers the message is handled again without spending an attempt
  (shared.messaging.outage).
- A handler's effects, its events and the inbox record commit in one transaction; a redelivered event finds
  its inbox record and is acknowledged without effect.
- A subscription with a `batch_key` lets events that queue up share a transaction (shared.messaging.batching);
  the guarantees above hold per event all the same.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractIncomingMessage, AbstractQueue
from aio_pika.exceptions import ChannelInvalidStateError
from opentelemetry.trace import Span

from shared.events.envelope import Event, PoisonMessage, parse_event
from shared.events.registry import EventData
from shared.inbox import record_first_delivery
from shared.logging import get_logger
from shared.messaging.batching import ALONE, Batcher, Handler
from shared.messaging.dead_letters import dead_letter_copy, retry_copy
from shared.messaging.failures import delivery_attempt, is_transient
from shared.messaging.outage import DatabaseGate
from shared.messaging.topology import Topology
from shared.observability import tracing
from shared.observability.metrics import ServiceMetrics
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True)
class Subscription:
    """One event type (at one version) a service consumes, and the plain function that handles it."""

    event: type[EventData]
    handler: Handler
    # Events that queue up may share a transaction; events of one key (what the handler locks first) are handled
    # in arrival order, one batch at a time. None: one transaction per event.
    batch_key: Callable[[Any], Hashable] | None = None

    @property
    def event_type(self) -> str:
        return self.event.event_type


@dataclass(frozen=True)
class Batching:
    size: int = 16  # events in one transaction at most
    concurrency: int = 4  # transactions of one subscription at once


class EventConsumer:
    def __init__(
        self,
        *,
        service: str,
        source: str,
        pool: asyncpg.Pool,
        channel: AbstractChannel,
        topology: Topology,
        subscriptions: Sequence[Subscription],
        batching: Batching | None = None,
        context: Any = None,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self._service = service
        self._metrics = metrics or ServiceMetrics()
        self._source = source
        self._pool = pool
        self._channel = channel
        self._topology = topology
        self._subscriptions = list(subscriptions)
        self._context = context
        self._consuming: list[tuple[AbstractQueue, str]] = []
        self._in_flight: set[asyncio.Task[None]] = set()
        self._dead_letter_exchange: AbstractExchange | None = None
        self._retry_exchange: AbstractExchange | None = None
        self._database = DatabaseGate(pool)  # one per process: every subscription waits on it
        batching = batching or Batching()
        self._batchers = {
            subscription.event_type: Batcher(
                pool=pool,
                source=source,
                handler=subscription.handler,
                key=subscription.batch_key,
                context=context,
                size=batching.size,
                concurrency=batching.concurrency,
            )
            for subscription in self._subscriptions
            if subscription.batch_key is not None and batching.size > 1
        }

    async def start(self, queues: dict[str, AbstractQueue]) -> None:
        self._dead_letter_exchange = await self._channel.get_exchange(
            self._topology.dead_letter_exchange, ensure=False
        )
        self._retry_exchange = await self._channel.get_exchange(self._topology.retry_exchange, ensure=False)
        for subscription in self._subscriptions:
            queue = queues[subscription.event_type]
            tag = await queue.consume(self._callback(subscription, queue.name))
            self._consuming.append((queue, tag))

    @property
    def in_flight(self) -> int:
        """Messages being handled right now."""
        return len(self._in_flight)

    async def stop(self, timeout: float = 30.0) -> None:
        """Stop taking messages, then let the ones in hand finish (those still running at `timeout` are requeued)."""
        for queue, tag in self._consuming:
            try:
                await queue.cancel(tag)
            except Exception as error:  # the channel may already be gone; its messages return to the queue
                log.warning("could not cancel consumer", queue=queue.name, error=repr(error))
        self._consuming.clear()
        if self._in_flight:
            # during an outage the messages in hand cannot finish: they go back to their queues now
            wait = timeout if self._database.is_open else 0
            done, pending = await asyncio.wait(set(self._in_flight), timeout=wait)
            for task in pending:
                task.cancel()
        for batcher in self._batchers.values():
            await batcher.stop()
        await self._database.stop()

    def _callback(
        self, subscription: Subscription, queue: str
    ) -> Callable[[AbstractIncomingMessage], Awaitable[None]]:
        async def on_message(message: AbstractIncomingMessage) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._in_flight.add(task)
            try:
                await self._process(subscription, queue, message)
            except Exception as error:  # a defect of the consumer itself: the message must not hold a slot
                log.exception(
                    "message escaped the failure policy", queue=queue, message_id=message.message_id
                )
                await self._settle_escaped(message, queue, error)
            finally:
                self._in_flight.discard(task)

        return on_message

    async def _settle_escaped(self, message: AbstractIncomingMessage, queue: str, error: Exception) -> None:
        if message.processed or _channel_lost(message):
            return
        try:
            await self._dead_letter(message, queue, "consumer-error", repr(error), delivery_attempt(message))
        except Exception as settling:  # the channel is gone: the broker hands the message back by itself
            log.error("could not settle the message", queue=queue, error=repr(settling))

    async def _process(
        self, subscription: Subscription, queue: str, message: AbstractIncomingMessage
    ) -> None:
        attempt = delivery_attempt(message)
        try:
            event = self._parse(subscription, message)
        except PoisonMessage as poison:
            log.error(
                "poison message dead-lettered",
                queue=queue,
                reason=poison.reason,
                detail=poison.detail,
                message_id=message.message_id,
            )
            await self._dead_letter(message, queue, poison.reason, poison.detail, attempt)
            self._count(subscription, "dead_lettered")
            return
        with (
            structlog.contextvars.bound_contextvars(**event.envelope.log_context()),
            tracing.consuming(self._service, queue, event.envelope) as span,
        ):
            while True:
                try:
                    await self._database.passage()
                    if _channel_lost(message):  # the broker hands it back on the new channel
                        return
                    started = time.perf_counter()
                    handled = await self._handle_once(subscription, event)
                    self._metrics.handler_duration.labels(subscription.event_type).observe(
                        time.perf_counter() - started
                    )
                except asyncio.CancelledError:
                    if not _channel_lost(message):
                        await message.nack(requeue=True)
                    raise
                except Exception as error:
                    if await self._database.is_outage(error):
                        log.debug("database away; holding the message until it is back", queue=queue)
                        continue  # the same attempt again, once the gate opens
                    if span is not None:
                        span.record_exception(error)
                    retried = await self._after_failure(message, queue, error, attempt)
                    self._count(subscription, "retried" if retried else "dead_lettered", span)
                    return
                break
            await message.ack()
            if handled:
                self._metrics.event_lag.labels(subscription.event_type).observe(
                    max(time.time() - event.envelope.time.timestamp(), 0.0)
                )
            self._count(subscription, "handled" if handled else "duplicate", span)
            log.debug("event handled" if handled else "duplicate event ignored", queue=queue)

    @staticmethod
    def _parse(subscription: Subscription, message: AbstractIncomingMessage) -> Event[EventData]:
        event = parse_event(message.headers or {}, message.body, message.content_type)
        expected = (subscription.event.event_type, subscription.event.version)
        if (event.envelope.type, event.envelope.version) != expected:
            raise PoisonMessage(
                "unknown-type",
                f"this queue takes {expected[0]} v{expected[1]}, got {event.envelope.type} v{event.envelope.version}",
            )
        return event

    async def _handle_once(self, subscription: Subscription, event: Event[EventData]) -> bool:
        batcher = self._batchers.get(subscription.event_type)
        if batcher is not None:
            outcome = await batcher.handle(event)
            if outcome is not ALONE:
                return bool(outcome)
        with tracing.transaction(self._source):
            async with self._pool.acquire() as conn, conn.transaction():
                if not await record_first_delivery(conn, event.envelope):
                    return False
                await subscription.handler(
                    UnitOfWork(conn, self._source, event.envelope, self._context), event
                )
                return True

    def _count(self, subscription: Subscription, outcome: str, span: Span | None = None) -> None:
        self._metrics.events_consumed.labels(subscription.event_type, outcome).inc()
        if span is not None:
            tracing.outcome(span, outcome)

    async def _after_failure(
        self, message: AbstractIncomingMessage, queue: str, error: Exception, attempt: int
    ) -> bool:
        """Send the message to wait for another attempt (True) or, at the last attempt, to the dead letters."""
        transient = is_transient(error)
        if attempt >= self._topology.delivery_limit:
            log.error(
                "handler failed at the last attempt; dead-lettered",
                queue=queue,
                attempt=attempt,
                error=repr(error),
                exc_info=not transient,
            )
            reason = "transient-failure-exhausted" if transient else "handler-error"
            await self._dead_letter(message, queue, reason, repr(error), attempt)
            return False
        delay_ms = self._topology.retry_delay_ms(attempt)
        if transient:
            log.warning(
                "transient failure; will retry",
                queue=queue,
                attempt=attempt,
                error=repr(error),
                retry_in_seconds=delay_ms / 1000,
            )
        else:
            log.error(
                "handler failed; will retry",
                queue=queue,
                attempt=attempt,
                error=repr(error),
                retry_in_seconds=delay_ms / 1000,
                exc_info=True,
            )
        await self._retry_later(message, queue, attempt, delay_ms)
        return True

    async def _retry_later(
        self, message: AbstractIncomingMessage, queue: str, attempt: int, delay_ms: int
    ) -> None:
        """Acknowledge the message once its copy waits in the delay queue (confirmed): it holds no slot meanwhile."""
        assert self._retry_exchange is not None
        if _channel_lost(message):  # it is back in its queue already; a copy would make two
            return
        routing_key = self._topology.retry_routing_key(delay_ms, queue)
        try:
            await self._retry_exchange.publish(
                retry_copy(message, attempts=attempt), routing_key=routing_key, mandatory=True
            )
        except (
            Exception
        ) as error:  # keep the message rather than lose it; the queue's own limit still applies
            log.error("could not send the message to wait for its retry; handing it back", error=repr(error))
            await message.nack(requeue=True)
            return
        await message.ack()

    async def _dead_letter(
        self, message: AbstractIncomingMessage, queue: str, reason: str, detail: str, attempt: int
    ) -> None:
        assert self._dead_letter_exchange is not None
        if _channel_lost(message):
            return
        copy = dead_letter_copy(message, queue=queue, reason=reason, detail=detail, attempts=attempt)
        try:
            await self._dead_letter_exchange.publish(copy, routing_key=self._service, mandatory=True)
        except (
            Exception
        ) as error:  # keep the message rather than lose it; the queue's own limit still applies
            log.error("could not dead-letter; handing the message back", error=repr(error))
            await message.nack(requeue=True)
            return
        await message.ack()


def _channel_lost(message: AbstractIncomingMessage) -> bool:
    """The channel the message came on is closed: the broker has put it back in its queue (the robust connection
    consumes again on a new channel), so nothing may be done with this copy any more."""
    try:
        message.channel  # noqa: B018  (raises once the channel is closed)
    except ChannelInvalidStateError:
        return True
    return False
