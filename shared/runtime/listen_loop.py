"""Work done in passes, woken by PostgreSQL's NOTIFY at commit, with polling as the fallback (the outbox relay,
notify's delivery worker).

A pass returns how long to wait before the next one (0: there is more to do now). Between passes the loop waits
for a NOTIFY on its channel or the end of that wait, whichever comes first. A pass that raises (the database or
the broker is away) is logged and retried after a capped exponential back-off, which the next pass that succeeds
resets. The listening connection comes from the pool and goes back to it after a failed pass; when the server
closes it the loop wakes and listens again, and while none can be had it polls.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import asyncpg

from shared.logging import get_logger

log = get_logger(__name__)

Pass = Callable[[], Awaitable[float]]


class ListenLoop:
    def __init__(
        self,
        pool: asyncpg.Pool,
        channel: str,
        *,
        what: str,
        backoff_seconds: float = 0.5,
        backoff_max_seconds: float = 30.0,
    ) -> None:
        self._pool = pool
        self._channel = channel
        self._what = what
        self._backoff_initial = backoff_seconds
        self._backoff_max = backoff_max_seconds
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self.backoff = backoff_seconds  # the wait after the next failed pass

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def wake(self, *_: object) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self, one_pass: Pass) -> None:
        """Until stopped. Only cancellation ends it otherwise: every other error is the next back-off."""
        try:
            while not self.stopping:
                await self._listen()
                self._wake.clear()  # before the pass: a commit during it makes the next pass start at once
                try:
                    wait = await one_pass()
                except Exception as error:
                    log.warning(
                        f"{self._what} failed; backing off", error=repr(error), backoff_seconds=self.backoff
                    )
                    await self._unlisten()  # start over: the pool may be closing, the connection broken
                    await self._sleep(self.backoff, wake_early=False)
                    self.backoff = min(self.backoff * 2, self._backoff_max)
                    continue
                self.backoff = self._backoff_initial
                if wait > 0:
                    await self._sleep(wait, wake_early=True)
        finally:
            await self._unlisten()

    async def _listen(self) -> None:
        if self._listener is not None and _usable(self._listener):
            return
        await self._unlisten()
        try:
            listener = await self._pool.acquire(timeout=5)
        except Exception as error:
            log.warning(f"{self._what} cannot listen; polling", error=repr(error))
            return
        try:
            await listener.add_listener(self._channel, self.wake)
            listener.add_termination_listener(self.wake)  # lost: a pass at once, which listens again
        except Exception as error:
            log.warning(f"{self._what} cannot listen; polling", error=repr(error))
            with contextlib.suppress(Exception):
                await self._pool.release(listener)
            return
        self._listener = listener

    async def _unlisten(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        with contextlib.suppress(Exception):
            listener.remove_termination_listener(self.wake)
        with contextlib.suppress(Exception):
            await listener.remove_listener(self._channel, self.wake)
        with contextlib.suppress(Exception):
            await self._pool.release(listener)

    async def _sleep(self, seconds: float, *, wake_early: bool) -> None:
        waiter = self._wake if wake_early else self._stopping
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(waiter.wait(), timeout=seconds)


def _usable(listener: asyncpg.Connection) -> bool:
    """False once the server closed the connection. The pool then takes it back and detaches the proxy we hold,
    whose methods raise InterfaceError from then on: that, too, means listen again."""
    try:
        return not listener.is_closed()
    except asyncpg.InterfaceError:
        return False
