"""How a failed message is treated: which errors may pass with time, and which attempt this is."""

from __future__ import annotations

import asyncpg
from aio_pika.abc import AbstractIncomingMessage

from shared.messaging.dead_letters import ATTEMPTS

# Errors that say "not now" rather than "never": the database or the network is away or overloaded.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.PostgresConnectionError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.AdminShutdownError,
)


def is_transient(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT_ERRORS)


def delivery_attempt(message: AbstractIncomingMessage) -> int:
    """1 for the first attempt. A retried copy carries the attempts before it in `ATTEMPTS` (a new publish starts
    the quorum queue's count again); `x-delivery-count` adds the deliveries of this copy that were handed back
    (a process that stopped or crashed while holding it)."""
    headers = message.headers or {}
    return 1 + _count(headers.get(ATTEMPTS)) + _count(headers.get("x-delivery-count"))


def _count(value: object) -> int:
    try:
        return max(0, int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return 0
