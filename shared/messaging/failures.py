"""How a failed message is treated: which errors may pass with time, and how long to wait before trying again."""

from __future__ import annotations

import random

import asyncpg
from aio_pika.abc import AbstractIncomingMessage

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
    """1 for the first delivery; quorum queues count earlier deliveries in `x-delivery-count`."""
    count = (message.headers or {}).get("x-delivery-count", 0)
    try:
        return int(count) + 1
    except (TypeError, ValueError):
        return 1


def backoff_seconds(attempt: int, *, base: float, ceiling: float) -> float:
    """Exponential back-off with full jitter, so replicas do not retry in lock-step."""
    return random.uniform(0, min(ceiling, base * 2 ** (attempt - 1)))
