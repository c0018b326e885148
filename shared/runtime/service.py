"""Starting and stopping a service's moving parts: database pool, broker connection, relay, consumer, and the
supervised background tasks (the relay, retention, the service's own)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aio_pika
import asyncpg
from aio_pika.abc import AbstractChannel, AbstractRobustConnection

from shared.db.pool import create_pool
from shared.db.sessions import bounded_session_settings
from shared.logging import get_logger
from shared.messaging.connection import connect_robust
from shared.messaging.consumer import Batching, EventConsumer
from shared.messaging.publisher import EventPublisher, confirming_channel
from shared.messaging.topology import Topology
from shared.observability.metrics import ServiceMetrics, set_by_label
from shared.outbox.relay import AfterPublish, OutboxRelay
from shared.outbox.retention import purge_forever
from shared.runtime.definition import ServiceDefinition
from shared.runtime.supervision import Backoff, Supervisor
from shared.settings import ServiceSettings

log = get_logger(__name__)
# Served by the partial index outbox_pending: only the unpublished rows are read.
_OUTBOX_BACKLOG = """
SELECT count(*) AS waiting,
       coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest_seconds
FROM outbox WHERE published_at IS NULL
"""
T = TypeVar("T")


async def with_retries(what: str, connect: Callable[[], Awaitable[T]], *, attempts: int = 30) -> T:
    """Keep trying to reach a dependency that may still be starting (compose brings them up in parallel)."""
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            return await connect()
        except (OSError, asyncpg.PostgresError, aio_pika.exceptions.AMQPError) as error:
            if attempt == attempts:
                raise
            log.warning("dependency not reachable yet", dependency=what, attempt=attempt, error=repr(error))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
    raise AssertionError("unreachable")


class ServiceRuntime:
    def __init__(
        self,
        definition: ServiceDefinition,
        settings: ServiceSettings,
        *,
        after_publish: AfterPublish | None = None,
        context: Any = None,
        restart_backoff: Backoff | None = None,
    ) -> None:
        self.definition = definition
        self.settings = settings
        self.context = context if context is not None else definition.context_factory(settings)
        self.topology = Topology(
            settings.amqp_namespace,
            settings.delivery_limit,
            settings.amqp_exchanges_predeclared,
            settings.retry_backoff_seconds,
            settings.retry_backoff_max_seconds,
        )
        self._after_publish = after_publish
        self.pool: asyncpg.Pool | None = None
        self.listen_pool: asyncpg.Pool | None = None
        self.connection: AbstractRobustConnection | None = None
        self.relay: OutboxRelay | None = None
        self.consumer: EventConsumer | None = None
        self.supervisor = Supervisor(restart_backoff)
        self.metrics = ServiceMetrics(refresh_seconds=settings.metrics_refresh_seconds)
        self.metrics.add_probe(self._outbox_backlog)
        self.metrics.add_probe(self._queue_depths)
        self._probe_channel: AbstractChannel | None = None
        for probe in definition.metrics_probes:
            self.metrics.add_probe(functools.partial(probe, self))

    async def start(self) -> None:
        settings, name = self.settings, self.definition.name
        self.pool = await with_retries(
            "postgresql",
            lambda: create_pool(
                settings.database_url,
                name,
                min_size=settings.database_pool_min,
                max_size=settings.database_pool_max,
                server_settings=bounded_session_settings(settings.idle_transaction_timeout_seconds),
                statement_cache_size=settings.database_statement_cache_size,
            ),
        )
        self.listen_pool = self.pool
        if settings.listen_database_url != settings.database_url:
            # the relay's and notify's worker's LISTEN need a session of their own (PgBouncer's transaction mode
            # hands each transaction to any server connection, and a LISTEN would be lost on the next)
            self.listen_pool = await with_retries(
                "postgresql (listening)",
                lambda: create_pool(
                    settings.listen_database_url,
                    name,
                    min_size=1,
                    max_size=2,
                    server_settings=bounded_session_settings(settings.idle_transaction_timeout_seconds),
                ),
            )
        self.connection = await with_retries("rabbitmq", lambda: connect_robust(settings.broker))
        publish_channel = await confirming_channel(self.connection)
        events = await self.topology.declare_exchanges(publish_channel)
        self.relay = OutboxRelay(
            pool=self.pool,
            listen_pool=self.listen_pool,
            schema=name,
            publisher=EventPublisher(events),
            batch_size=settings.outbox_batch_size,
            poll_seconds=settings.outbox_poll_seconds,
            after_publish=self._after_publish,
            metrics=self.metrics,
        )
        self.supervisor.start("outbox_relay", self.relay.run, stop=self.relay.stop)

        consume_channel = await confirming_channel(self.connection)
        await consume_channel.set_qos(prefetch_count=settings.prefetch)
        queues = await self.topology.declare_service(
            consume_channel, name, self.definition.consumed_event_types
        )
        self.consumer = EventConsumer(
            service=name,
            source=self.definition.source,
            pool=self.pool,
            channel=consume_channel,
            topology=self.topology,
            subscriptions=self.definition.subscriptions,
            context=self.context,
            batching=Batching(settings.batch_size, settings.batch_concurrency),
            metrics=self.metrics,
        )
        await self.consumer.start(queues)
        self.supervisor.start(
            "retention", functools.partial(purge_forever, self.pool, settings.retention_days)
        )
        for task in self.definition.background:
            self.supervisor.start(getattr(task, "__name__", "background"), functools.partial(task, self))
        log.info("service started", subscriptions=self.definition.consumed_event_types)

    async def stop(self) -> None:
        """Graceful: stop background tasks and consuming, finish the messages in hand, stop the relay, close."""
        await self.supervisor.stop(self.supervisor.names - {"outbox_relay"})
        if self.consumer is not None:
            await self.consumer.stop()
        await self.supervisor.stop(timeout=10)
        if self.connection is not None:
            await self.connection.close()
        if self.listen_pool is not None and self.listen_pool is not self.pool:
            await self.listen_pool.close()
        if self.pool is not None:
            await self.pool.close()
        log.info("service stopped")

    async def _outbox_backlog(self, metrics: ServiceMetrics) -> None:
        if self.pool is None:
            return
        row = await self.pool.fetchrow(_OUTBOX_BACKLOG, timeout=2)
        metrics.outbox_backlog.set(row["waiting"])
        metrics.outbox_oldest_age.set(row["oldest_seconds"])

    async def _queue_depths(self, metrics: ServiceMetrics) -> None:
        """Ready messages and consumers of each queue the service consumes, by passive declares on a channel of
        their own (a queue that went missing closes it; the next scrape opens another)."""
        if self.connection is None or self.connection.is_closed:
            return
        if self._probe_channel is None or self._probe_channel.is_closed:
            self._probe_channel = await self.connection.channel()
        messages, consumers = {}, {}
        for purpose in [*self.definition.consumed_event_types, "dead-letter"]:
            name = self.topology.queue(self.definition.name, purpose)
            queue = await self._probe_channel.declare_queue(name, passive=True, robust=False)
            messages[name] = queue.declaration_result.message_count or 0
            consumers[name] = queue.declaration_result.consumer_count or 0
        set_by_label(metrics.queue_messages, messages)
        set_by_label(
            metrics.queue_consumers, {k: v for k, v in consumers.items() if not k.endswith("dead-letter")}
        )

    async def readiness(self) -> dict[str, str]:
        """Each dependency and whether this process can reach it now."""
        checks: dict[str, str] = {}
        try:
            assert self.pool is not None
            async with self.pool.acquire(timeout=2) as conn:
                await conn.fetchval("SELECT 1", timeout=2)
            checks["database"] = "ok"
        except Exception as error:
            checks["database"] = f"unavailable: {error!r}"
        connected = (
            self.connection is not None
            and not self.connection.is_closed
            and self.connection.connected.is_set()
        )
        checks["broker"] = "ok" if connected else "unavailable"
        checks.update(self.supervisor.states())  # each background task by name: "ok" while it runs
        if self.definition.readiness is not None:
            try:
                checks.update(await self.definition.readiness(self))
            except Exception as error:
                checks[self.definition.name] = f"unavailable: {error!r}"
        return checks
