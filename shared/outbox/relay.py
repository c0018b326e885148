"""The outbox relay: publishes committed events in commit order, with confirms, then marks them sent.

Several replicas may run at once: each claims its rows with FOR UPDATE SKIP LOCKED, so a row is published by
one relay at a time. A relay that dies after publishing and before marking leaves its rows unmarked: they are
published again (delivery is at least once) and consumers' inboxes drop the duplicate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from shared.events.envelope import Envelope
from shared.logging import get_logger
from shared.messaging.publisher import EventPublisher, Unroutable
from shared.observability import tracing
from shared.observability.metrics import ServiceMetrics
from shared.runtime.listen_loop import ListenLoop

log = get_logger(__name__)

_CLAIM = """
SELECT position, event_id, source, event_type, version, subject, occurred_at, correlation_id, causation_id,
       traceparent, tracestate, data::text AS body
FROM outbox
WHERE published_at IS NULL
  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY transaction_id, position
LIMIT $1
FOR UPDATE SKIP LOCKED
"""
_MARK_SENT = (
    "UPDATE outbox SET published_at = now(), publish_attempts = publish_attempts + 1 WHERE position = ANY($1)"
)
_MARK_UNROUTABLE = """
UPDATE outbox SET published_at = now(), unroutable = true, publish_attempts = publish_attempts + 1, last_error = $2
WHERE position = ANY($1)
"""
_MARK_FAILED = (
    "UPDATE outbox SET publish_attempts = publish_attempts + 1, last_error = $2 WHERE position = ANY($1)"
)

_ANY_WAITING = "SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL)"
# A committed row is held back while an older transaction is still open anywhere on the server (see _CLAIM):
# look again soon rather than at the next poll.
HELD_BACK_RETRY_SECONDS = 0.02
# Held back longer than this is not a commit in progress but a transaction left open (a client that froze or
# died mid-statement): say so, naming the oldest open transaction, until the server ends it (see
# shared/db/sessions.py for the bounds it keeps).
HELD_BACK_WARNING_SECONDS = 5.0
_OLDEST_OPEN_TRANSACTION = """
SELECT pid, datname, usename, application_name, state, client_addr::text AS client,
       round(extract(epoch FROM clock_timestamp() - xact_start)::numeric, 1)::float8 AS age_seconds
FROM pg_stat_activity
WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
ORDER BY age(backend_xid) DESC
LIMIT 1
"""

AfterPublish = Callable[[Sequence[asyncpg.Record]], Awaitable[None]]


class PublishFailed(Exception):
    """Some events of a batch could not be published (recorded on their rows); the others were marked sent."""


def envelope_of(row: asyncpg.Record) -> Envelope:
    return Envelope(
        id=row["event_id"],
        source=row["source"],
        type=row["event_type"],
        version=row["version"],
        time=row["occurred_at"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        subject=row["subject"],
        traceparent=row["traceparent"],
        tracestate=row["tracestate"],
    )


class OutboxRelay:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        schema: str,
        publisher: EventPublisher,
        listen_pool: asyncpg.Pool | None = None,  # a session of its own for LISTEN (default: `pool`)
        batch_size: int = 200,
        poll_seconds: float = 1.0,
        after_publish: AfterPublish | None = None,
        held_back_warning_seconds: float = HELD_BACK_WARNING_SECONDS,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self._pool = pool
        self._service = schema
        self._published = (metrics or ServiceMetrics()).events_published
        self._publisher = publisher
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._after_publish = after_publish
        self._loop = ListenLoop(listen_pool or pool, f"{schema}.outbox", what="outbox relay")
        self.held_back = False  # rows are waiting but an older open transaction holds them back
        self._held_back_warning_seconds = held_back_warning_seconds
        self._held_back_since: float | None = None
        self._held_back_warned_at = 0.0

    async def relay_once(self) -> int:
        """Publish one batch of pending events; return how many rows it claimed.

        Every outcome is recorded in the claiming transaction, which then commits: the confirmed rows are marked
        sent, the refused ones carry their attempt and error. Only then does a failure raise (PublishFailed),
        so the caller backs off without the confirmed rows being published again."""
        async with self._pool.acquire() as conn:
            async with conn.transaction():
                rows = await conn.fetch(_CLAIM, self._batch_size)
                if not rows:
                    self.held_back = bool(await conn.fetchval(_ANY_WAITING))
                    await self._watch_held_back(conn)
                    return 0
                self.held_back = False
                await self._watch_held_back(conn)
                publish = self._publish_traced if tracing.enabled() else self._publish
                results = await asyncio.gather(*(publish(row) for row in rows), return_exceptions=True)
                if self._after_publish is not None:
                    await self._after_publish(rows)
                failed = await self._record(conn, rows, results)
        if failed:
            raise PublishFailed(f"{len(failed)} of {len(rows)} events not published") from failed[0]
        return len(rows)

    def _publish(self, row: asyncpg.Record) -> Awaitable[None]:
        return self._publisher.publish(envelope_of(row), row["body"].encode())

    async def _publish_traced(self, row: asyncpg.Record) -> None:
        envelope = envelope_of(row)
        with tracing.publishing(self._service, envelope):
            await self._publisher.publish(envelope, row["body"].encode())

    async def _record(
        self, conn: asyncpg.Connection, rows: Sequence[asyncpg.Record], results: Sequence[object]
    ) -> list[BaseException]:
        sent, unroutable, failed, errors = [], [], [], []
        for row, result in zip(rows, results, strict=True):
            if result is None:
                sent.append(row["position"])
                self._published.labels(row["event_type"]).inc()
            elif isinstance(result, Unroutable):
                unroutable.append(row["position"])
                log.warning(
                    "event unroutable: no queue is bound for it",
                    event_id=str(row["event_id"]),
                    event_type=row["event_type"],
                )
            elif isinstance(result, Exception):
                failed.append(row["position"])
                errors.append(result)
            else:  # a cancellation of the publish: let it end the relay as it would have
                raise result  # type: ignore[misc]
        if sent:
            await conn.execute(_MARK_SENT, sent)
        if unroutable:
            await conn.execute(_MARK_UNROUTABLE, unroutable, "no queue bound for this event type")
        if failed:
            await conn.execute(_MARK_FAILED, failed, repr(errors[0]))
        return errors

    async def _watch_held_back(self, conn: asyncpg.Connection) -> None:
        if not self.held_back:
            self._held_back_since = None
            return
        now = time.monotonic()
        if self._held_back_since is None:
            self._held_back_since = now
            return
        held_for = now - self._held_back_since
        warn_after = self._held_back_warning_seconds
        if held_for < warn_after or now - self._held_back_warned_at < max(warn_after, 5.0):
            return
        self._held_back_warned_at = now
        blocker = await conn.fetchrow(_OLDEST_OPEN_TRANSACTION)
        log.warning(
            "outbox rows held back by an older open transaction",
            held_back_seconds=round(held_for, 1),
            **({f"blocking_{key}": value for key, value in dict(blocker).items()} if blocker else {}),
        )

    async def run(self) -> None:
        """Relay until stopped: woken by NOTIFY at commit, polling as a fallback, backing off on failure."""
        await self._loop.run(self._relay_pass)

    async def _relay_pass(self) -> float:
        claimed = await self.relay_once()
        if claimed == 0 and self.held_back:
            return HELD_BACK_RETRY_SECONDS
        return 0 if claimed >= self._batch_size else self._poll_seconds

    @property
    def backoff_seconds(self) -> float:
        return self._loop.backoff

    def stop(self) -> None:
        self._loop.stop()
