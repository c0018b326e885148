"""The outbox relay: publishes committed events in commit order, with confirms, then marks them sent.

Several replicas may run at once: each claims its rows with FOR UPDATE SKIP LOCKED, so a row is published by
one relay at a time. A relay that dies after publishing and before marking leaves its rows unmarked: they are
published again (delivery is at least once) and consumers' inboxes drop the duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from shared.events.envelope import Envelope
from shared.logging import get_logger
from shared.messaging.publisher import EventPublisher, Unroutable

log = get_logger(__name__)

_CLAIM = """
SELECT position, event_id, source, event_type, version, subject, occurred_at, correlation_id, causation_id,
       data::text AS body
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

AfterPublish = Callable[[Sequence[asyncpg.Record]], Awaitable[None]]


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
    )


class OutboxRelay:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        schema: str,
        publisher: EventPublisher,
        batch_size: int = 200,
        poll_seconds: float = 1.0,
        after_publish: AfterPublish | None = None,
    ) -> None:
        self._pool = pool
        self._channel = f"{schema}.outbox"
        self._publisher = publisher
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._after_publish = after_publish
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self.held_back = False  # rows are waiting but an older open transaction holds them back

    async def relay_once(self) -> int:
        """Publish one batch of pending events; return how many rows it claimed."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(_CLAIM, self._batch_size)
            if not rows:
                self.held_back = bool(await conn.fetchval(_ANY_WAITING))
                return 0
            self.held_back = False
            results = await asyncio.gather(
                *(self._publisher.publish(envelope_of(row), row["body"].encode()) for row in rows),
                return_exceptions=True,
            )
            if self._after_publish is not None:
                await self._after_publish(rows)
            sent, unroutable, failed = [], [], []
            for row, result in zip(rows, results, strict=True):
                if result is None:
                    sent.append(row["position"])
                elif isinstance(result, Unroutable):
                    unroutable.append(row["position"])
                    log.warning(
                        "event unroutable: no queue is bound for it",
                        event_id=str(row["event_id"]),
                        event_type=row["event_type"],
                    )
                else:
                    failed.append((row, result))
            if sent:
                await conn.execute(_MARK_SENT, sent)
            if unroutable:
                await conn.execute(_MARK_UNROUTABLE, unroutable, "no queue bound for this event type")
            if failed:
                await conn.execute(_MARK_FAILED, [row["position"] for row, _ in failed], repr(failed[0][1]))
                raise failed[0][1]
            return len(rows)

    async def run(self) -> None:
        """Relay until stopped: woken by NOTIFY at commit, polling as a fallback, backing off on failure."""
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                await self._listen_and_relay()
            except Exception as error:  # the database or the broker is away: wait, then start over
                log.warning("outbox relay failed; backing off", error=repr(error), backoff_seconds=backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, 30.0)
            else:
                backoff = 0.5

    async def _listen_and_relay(self) -> None:
        listener = await self._pool.acquire()
        try:
            await listener.add_listener(self._channel, self._on_notify)
            while not self._stopping.is_set():
                self._wake.clear()
                claimed = await self.relay_once()
                if claimed == 0 and self.held_back:
                    await self._sleep(HELD_BACK_RETRY_SECONDS, wake_early=True)
                elif claimed < self._batch_size:
                    await self._sleep(self._poll_seconds, wake_early=True)
        finally:
            with contextlib.suppress(Exception):
                await listener.remove_listener(self._channel, self._on_notify)
            with contextlib.suppress(Exception):
                await self._pool.release(listener)

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _sleep(self, seconds: float, *, wake_early: bool = False) -> None:
        waiter = self._wake if wake_early else self._stopping
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(waiter.wait(), timeout=seconds)
