"""`python -m ops status`: each service at a glance: ready or not (its /readyz), its outbox's backlog and oldest
event, each queue's depth and consumers, and its dead letters.

The queues are read with passive declares (the broker's management API is not needed): a passive declare of a
queue that does not exist closes its channel, so each queue gets its own short-lived channel.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

import aio_pika
import asyncpg
import httpx

from ops import database
from ops.settings import OpsSettings
from services import SERVICE_NAMES, definition_of
from shared.messaging.connection import connect
from shared.messaging.topology import Topology


@dataclass(frozen=True)
class QueueState:
    name: str
    messages: int | None  # None: the queue does not exist (the service never started here)
    consumers: int | None


@dataclass
class ServiceStatus:
    service: str
    ready: str  # "ready", "not ready: <checks>" or "unreachable: <why>"
    outbox_waiting: int | None = None
    outbox_oldest: datetime | None = None
    queues: list[QueueState] = field(default_factory=list)
    dead_letters: int | None = None

    @property
    def healthy(self) -> bool:
        return self.ready == "ready" and not self.dead_letters


async def readiness(client: httpx.AsyncClient, url: str) -> str:
    try:
        response = await client.get(f"{url}/readyz", timeout=3)
    except httpx.HTTPError as error:
        return f"unreachable: {type(error).__name__}"
    if response.status_code == 200:
        return "ready"
    try:
        checks = response.json().get("checks", {})
        failing = ", ".join(f"{name} {value}" for name, value in checks.items() if value != "ok")
    except ValueError:
        failing = f"HTTP {response.status_code}"
    return f"not ready: {failing or response.status_code}"


async def queue_state(connection: aio_pika.abc.AbstractConnection, name: str) -> QueueState:
    channel = await connection.channel()
    try:
        queue = await channel.declare_queue(name, passive=True)
    except aio_pika.exceptions.ChannelClosed:
        return QueueState(name, None, None)
    result = queue.declaration_result
    await channel.close()
    return QueueState(name, result.message_count, result.consumer_count)


async def gather_status(
    settings: OpsSettings, services: tuple[str, ...] = SERVICE_NAMES
) -> list[ServiceStatus]:
    topology = Topology(settings.amqp_namespace, settings.delivery_limit)
    async with httpx.AsyncClient() as client:
        states = await asyncio.gather(
            *(readiness(client, getattr(settings, f"{name}_url")) for name in services)
        )
    statuses = [ServiceStatus(name, state) for name, state in zip(services, states, strict=True)]
    try:
        conn = await asyncpg.connect(settings.admin_database_url, timeout=5)
    except (OSError, asyncpg.PostgresError):
        conn = None
    if conn is not None:
        try:
            outboxes = {state.service: state for state in await database.outbox_states(conn, services)}
        finally:
            await conn.close()
        for status in statuses:
            status.outbox_waiting = outboxes[status.service].waiting
            status.outbox_oldest = outboxes[status.service].oldest_waiting
    async with await connect(settings.broker) as connection:
        for status in statuses:
            for event_type in definition_of(status.service).consumed_event_types:
                status.queues.append(
                    await queue_state(connection, topology.queue(status.service, event_type))
                )
            dead = await queue_state(connection, topology.dead_letter_queue(status.service))
            status.dead_letters = dead.messages
    return statuses


def render(statuses: list[ServiceStatus], now: datetime) -> str:
    lines = []
    for status in statuses:
        if status.outbox_waiting is None:
            outbox = "outbox unknown (database unreachable)"
        elif status.outbox_oldest is None:
            outbox = "outbox empty"
        else:
            age = (now - status.outbox_oldest).total_seconds()
            outbox = f"outbox {status.outbox_waiting} waiting, oldest {age:.0f} s"
        dead = "dead letters ?" if status.dead_letters is None else f"dead letters {status.dead_letters}"
        lines.append(f"{status.service:<9} {status.ready:<12} {outbox}; {dead}")
        for queue in status.queues:
            if queue.messages is None:
                lines.append(f"    {queue.name:<52} missing")
            else:
                flag = "  ← no consumer" if queue.consumers == 0 else ""
                lines.append(
                    f"    {queue.name:<52} {queue.messages:>6} ready {queue.consumers:>3} consumers{flag}"
                )
    return "\n".join(lines)
