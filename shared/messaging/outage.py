"""A database outage is not the message's fault: the consumer keeps what it holds and waits for the database.

A handler that fails because the database cannot be reached (connection refused, closed or reset, the server
shutting down or full) says nothing about its message, so that failure must not spend one of the message's attempts.
A cheap `SELECT 1` tells the two apart: if the database answers, the failure was the message's after all. While the
database is away, every subscription of the process waits on one `DatabaseGate`, which probes with a capped
back-off and opens again when the database answers.
"""

from __future__ import annotations

import asyncio
import contextvars
import time

import asyncpg

from shared.logging import get_logger

log = get_logger(__name__)

# What a handler sees when the database, not the message, is the problem (the probe has the last word).
CONNECTION_FAILURES: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, unreachable
    TimeoutError,
    asyncpg.InterfaceError,  # among others: the connection is closed
    asyncpg.PostgresConnectionError,  # ConnectionDoesNotExistError, ConnectionFailureError...
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)


def is_connection_failure(error: BaseException) -> bool:
    return isinstance(error, CONNECTION_FAILURES)


class DatabaseGate:
    """Open while the database answers; closed from the first confirmed outage until a probe succeeds."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        probe_timeout: float = 2.0,
        first_wait: float = 0.2,
        max_wait: float = 5.0,
    ) -> None:
        self._pool = pool
        self._probe_timeout = probe_timeout
        self._first_wait = first_wait
        self._max_wait = max_wait
        self._open = asyncio.Event()
        self._open.set()
        self._prober: asyncio.Task[None] | None = None

    @property
    def is_open(self) -> bool:
        return self._open.is_set()

    async def passage(self) -> None:
        """Return at once while the database answers; during an outage, once it is back."""
        await self._open.wait()

    async def is_outage(self, error: BaseException) -> bool:
        """Whether `error` comes from the database being away (then the gate is closed): a connection failure
        that the probe confirms, or any connection failure while an outage is already known."""
        if not is_connection_failure(error):
            return False
        if not self.is_open:
            return True
        if await self.reachable():
            return False
        self._close(error)
        return True

    async def reachable(self) -> bool:
        try:
            async with asyncio.timeout(self._probe_timeout):
                async with self._pool.acquire() as conn:
                    await conn.fetchval("SELECT 1")
        except Exception:
            return False
        return True

    async def stop(self) -> None:
        if self._prober is not None:
            self._prober.cancel()
            await asyncio.gather(self._prober, return_exceptions=True)

    def _close(self, error: BaseException) -> None:
        if not self.is_open:
            return
        self._open.clear()
        log.error("database unreachable; consumers hold their messages until it is back", error=repr(error))
        self._prober = asyncio.create_task(
            self._probe_until_back(time.monotonic()),
            name="database-probe",
            context=contextvars.Context(),  # not the log context of the message that found the outage
        )

    async def _probe_until_back(self, since: float) -> None:
        wait = self._first_wait
        while not await self.reachable():
            await asyncio.sleep(wait)
            wait = min(wait * 2, self._max_wait)
        log.warning("database reachable again", outage_seconds=round(time.monotonic() - since, 1))
        self._open.set()
