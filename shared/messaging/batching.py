"""Group handling: events of one queue that arrive while others are being handled share one transaction.

Under load most of a handler's cost is the transaction around it (BEGIN, the inbox record, COMMIT and its WAL
flush), not its own statements. A `Batcher` lets the messages waiting for a turn go together: one BEGIN, one
inbox statement for all, each handler in turn, one COMMIT. With nothing waiting, a batch holds one event, so a
quiet system sees no delay.

Nothing is acknowledged here: each message's own task waits for its batch, then acknowledges it (the batch has
committed) or, if the batch failed, handles it alone with the consumer's usual retry and dead-letter policy.
One failing event therefore costs its neighbours a second try, never their effects or their acknowledgement.

Events of one `Subscription.batch_key` (what the handler locks first: a category, a unit, a case) are handled in
the order they arrived, by one batch at a time: concurrent batches never hold the same key, so they neither wait
on each other's locks nor reorder two reports of one hazard.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog
from opentelemetry import context as otel_context

from shared.events.envelope import Event
from shared.events.registry import EventData
from shared.inbox import record_first_deliveries
from shared.logging import get_logger
from shared.observability import tracing
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)

Handler = Callable[[UnitOfWork, Event[Any]], Awaitable[None]]

# A batch that failed hands each of its events back to be handled alone.
ALONE = object()


@dataclass
class _Waiting:
    event: Event[EventData]
    key: Hashable
    trace: otel_context.Context | None  # the span of the message it came in (None: tracing is off)
    outcome: asyncio.Future[Any] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Batcher:
    """Handles the events of one subscription in batches of at most `size`, at most `concurrency` at a time."""

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        source: str,
        handler: Handler,
        key: Callable[[EventData], Hashable],
        context: Any,
        size: int,
        concurrency: int,
    ) -> None:
        self._pool = pool
        self._source = source
        self._handler = handler
        self._key = key
        self._context = context
        self._size = size
        self._concurrency = concurrency
        self._waiting: list[_Waiting] = []
        self._held: Counter[Hashable] = Counter()  # keys of the batches being handled
        self._runners: set[asyncio.Task[None]] = set()

    async def handle(self, event: Event[EventData]) -> bool | object:
        """True when handled now, False for an event handled before, ALONE when the caller must handle it alone.

        Raises what the handler raised when the event was in a batch of its own."""
        waiting = _Waiting(event, self._key(event.data), tracing.capture())
        self._waiting.append(waiting)
        if len(self._runners) < self._concurrency:
            self._runners.add(asyncio.create_task(self._run()))
        return await asyncio.shield(waiting.outcome)

    async def stop(self) -> None:
        runners = list(self._runners)
        for runner in runners:
            runner.cancel()
        await asyncio.gather(*runners, return_exceptions=True)
        _settle(self._waiting, lambda _: ALONE)
        self._waiting = []

    def _take(self) -> list[_Waiting]:
        """The oldest waiting events whose keys no other batch holds, at most `size`; their keys are now held.

        An event whose key is held waits for the batch holding it, whose runner looks again when it is done."""
        batch: list[_Waiting] = []
        left: list[_Waiting] = []
        blocked = set(self._held)
        for waiting in self._waiting:
            if len(batch) < self._size and waiting.key not in blocked:
                batch.append(waiting)
            else:
                left.append(waiting)
                blocked.add(waiting.key)  # later events of this key stay behind this one
        self._waiting = left
        for waiting in batch:
            self._held[waiting.key] += 1
        return batch

    def _release(self, batch: list[_Waiting]) -> None:
        for waiting in batch:
            self._held[waiting.key] -= 1
        self._held = +self._held  # drop keys no batch holds any more

    async def _run(self) -> None:
        try:
            while batch := self._take():
                try:
                    outcomes = await self._handle_batch(batch)
                except asyncio.CancelledError:
                    _settle(batch, lambda _: ALONE)
                    raise
                except Exception as error:
                    if len(batch) == 1:  # alone already: the failure is its own
                        _fail(batch[0], error)
                        continue
                    log.info(
                        "batch failed; its events are handled one by one", size=len(batch), error=repr(error)
                    )
                    _settle(batch, lambda _: ALONE)
                else:
                    _settle(batch, outcomes.__getitem__)
                finally:
                    self._release(batch)
        finally:
            # in the same step as the last look at the queue: an event added after it finds no runner, starts one
            self._runners.discard(asyncio.current_task())  # type: ignore[arg-type]

    async def _handle_batch(self, batch: list[_Waiting]) -> dict[int, bool]:
        firsts: dict[tuple[str, Any], _Waiting] = {}
        for waiting in batch:  # the same event twice in one batch (a redelivered copy) is handled once
            firsts.setdefault(_identity(waiting.event), waiting)
        ordered = sorted(firsts.values(), key=lambda waiting: waiting.key)
        outcomes = {id(waiting): False for waiting in batch}
        traced = (
            tracing.transaction(self._source, events=len(ordered), within=[w.trace for w in ordered])
            if tracing.enabled()
            else tracing.NO_SPAN
        )
        with traced:
            async with self._pool.acquire() as conn, conn.transaction():
                fresh = await record_first_deliveries(conn, [waiting.event.envelope for waiting in ordered])
                for waiting in ordered:
                    if _identity(waiting.event) not in fresh:
                        continue
                    envelope = waiting.event.envelope
                    with (
                        structlog.contextvars.bound_contextvars(**envelope.log_context()),
                        tracing.handling(self._source, envelope, waiting.trace),
                    ):
                        await self._handler(
                            UnitOfWork(conn, self._source, envelope, self._context), waiting.event
                        )
                    outcomes[id(waiting)] = True
        return outcomes


def _identity(event: Event[EventData]) -> tuple[str, Any]:
    return event.envelope.source, event.envelope.id


def _settle(batch: list[_Waiting], outcome_of: Callable[[int], object]) -> None:
    for waiting in batch:
        if not waiting.outcome.done():
            waiting.outcome.set_result(outcome_of(id(waiting)))


def _fail(waiting: _Waiting, error: Exception) -> None:
    if not waiting.outcome.done():
        waiting.outcome.set_exception(error)
