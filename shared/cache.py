"""Reference data read through a cache: what every event needs and an admin rarely changes (routing rules,
notification rules), kept in memory for a while instead of read for every event.

The process's own changes clear the cache once their transaction has ended (`changing()`); another replica's are
seen when the kept copy is older than the cache time. A cache time of 0 reads every time.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from shared.clock import Clock

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ReadThroughCache(Generic[K, V]):
    """Values by key, each read with the caller's `read()` at most once per `ttl`.

    A read that began before a `clear()` is used by its reader but not kept: it may predate the change.
    `keep` says whether a value read is worth keeping (say, not an empty table that is about to be loaded).
    """

    def __init__(self, clock: Clock, ttl: timedelta, *, keep: Callable[[V], bool] = lambda _: True) -> None:
        self._clock = clock
        self._ttl = ttl
        self._keep = keep
        self._kept: dict[K, tuple[datetime, V]] = {}
        self._generation = 0  # counts clears

    async def get(self, key: K, read: Callable[[], Awaitable[V]]) -> V:
        now = self._clock.now()
        kept = self._kept.get(key)
        if kept is not None and timedelta(0) <= now - kept[0] < self._ttl:
            return kept[1]
        generation = self._generation
        value = await read()
        if generation == self._generation and self._ttl > timedelta(0) and self._keep(value):
            self._kept[key] = (now, value)
        return value

    def clear(self) -> None:
        self._kept.clear()
        self._generation += 1

    @contextlib.asynccontextmanager
    async def changing(self) -> AsyncIterator[None]:
        """Wrap a transaction that changes what is cached: the cache is cleared once it has ended.

        Clearing only before the commit would not do: an event handled meanwhile would read and keep the old
        rows. Put it outside the transaction (`async with cache.changing(), conn.transaction():`)."""
        try:
            yield
        finally:
            self.clear()
