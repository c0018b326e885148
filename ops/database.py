"""What the tools read from the services' schemas, as the database administrator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from services import SERVICE_NAMES


@dataclass(frozen=True)
class OutboxState:
    service: str
    waiting: int
    oldest_waiting: datetime | None
    unroutable: int
    published_last_hour: int


async def outbox_states(
    conn: asyncpg.Connection, services: tuple[str, ...] = SERVICE_NAMES
) -> list[OutboxState]:
    states = []
    for service in services:
        row = await conn.fetchrow(
            f"""SELECT count(*) FILTER (WHERE published_at IS NULL) AS waiting,
                       min(created_at) FILTER (WHERE published_at IS NULL) AS oldest_waiting,
                       count(*) FILTER (WHERE unroutable) AS unroutable,
                       count(*) FILTER (WHERE published_at > now() - interval '1 hour') AS published_last_hour
                FROM "{service}".outbox"""
        )
        states.append(
            OutboxState(
                service, row["waiting"], row["oldest_waiting"], row["unroutable"], row["published_last_hour"]
            )
        )
    return states


@dataclass(frozen=True)
class Step:
    at: datetime
    service: str
    action: str  # "published" or "handled"
    event_type: str
    event_id: uuid.UUID
    subject: str | None = None
    caused_by: uuid.UUID | None = None


async def story(
    conn: asyncpg.Connection, correlation_id: uuid.UUID, services: tuple[str, ...] = SERVICE_NAMES
) -> list[Step]:
    """Every event of one story, where it was published and where it was handled, in time order."""
    steps: list[Step] = []
    for service in services:
        for row in await conn.fetch(
            f"""SELECT occurred_at, event_type, event_id, subject, causation_id
                FROM "{service}".outbox WHERE correlation_id = $1""",
            correlation_id,
        ):
            steps.append(
                Step(
                    row["occurred_at"],
                    service,
                    "published",
                    row["event_type"],
                    row["event_id"],
                    row["subject"],
                    row["causation_id"],
                )
            )
        for row in await conn.fetch(
            f'SELECT handled_at, event_type, event_id FROM "{service}".inbox WHERE correlation_id = $1',
            correlation_id,
        ):
            steps.append(Step(row["handled_at"], service, "handled", row["event_type"], row["event_id"]))
    return sorted(steps, key=lambda step: (step.at, step.action != "published"))


async def stories_of(
    conn: asyncpg.Connection, some_id: uuid.UUID, services: tuple[str, ...] = SERVICE_NAMES
) -> list[uuid.UUID]:
    """The stories an id belongs to: itself when it is a correlation id; else the stories of the events that have
    it as their id or their subject (a report's id, a case's id)."""
    found: list[uuid.UUID] = []
    for service in services:
        rows = await conn.fetch(
            f"""SELECT DISTINCT correlation_id FROM "{service}".outbox
                WHERE correlation_id = $1 OR event_id = $1 OR subject = $2""",
            some_id,
            str(some_id),
        )
        found += [row["correlation_id"] for row in rows if row["correlation_id"] not in found]
    return sorted(found, key=lambda story: story != some_id)
