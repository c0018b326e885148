"""Replaying a recorded stream (tests/streams/*.jsonl) into a fresh system, and waiting until it is idle.

`async with replay_stream(...) as system:` runs the chosen services (real broker, real database, this test's
own exchange and queue names), publishes the stream's events, waits until nothing moves any more, and gives the
test every event the services produced, so it can assert on both their state and their output.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from aio_pika.abc import AbstractConnection

from ops.replay import ReplayOptions, prepare, replay
from shared.events.envelope import parse_envelope
from shared.events.structured import read_stream, to_structured
from shared.messaging.publisher import EventPublisher, confirming_channel
from shared.messaging.topology import Topology
from shared.runtime.definition import ServiceDefinition
from shared.runtime.service import ServiceRuntime

STREAMS = Path(__file__).resolve().parent.parent / "streams"


@dataclass
class ReplayedSystem:
    """`produced` holds each event the services published once, as an inbox would: publishing is at least once, so
    a relay that publishes a row again after a lost confirm sends a second copy with the same id, which every
    consumer ignores. `copies` counts those second copies."""

    runtimes: dict[str, ServiceRuntime]
    produced: list[dict[str, Any]] = field(default_factory=list)
    copies: int = 0
    _seen: set[str] = field(default_factory=set)

    def keep(self, event: dict[str, Any]) -> None:
        if event["id"] in self._seen:
            self.copies += 1
            return
        self._seen.add(event["id"])
        self.produced.append(event)

    def produced_of(self, event_type: str) -> list[dict[str, Any]]:
        return [event for event in self.produced if event["type"] == event_type]


async def _quiet(
    admin_db: asyncpg.Connection, runtimes: Mapping[str, ServiceRuntime], produced: list, since: int
) -> bool:
    for name, runtime in runtimes.items():
        if runtime.consumer is not None and runtime.consumer.in_flight:
            return False
        waiting = await admin_db.fetchval(f'SELECT count(*) FROM "{name}".outbox WHERE published_at IS NULL')
        if waiting:
            return False
    return len(produced) == since


async def wait_until_idle(
    admin_db: asyncpg.Connection,
    runtimes: Mapping[str, ServiceRuntime],
    produced: list,
    *,
    quiet_for: float = 1.5,
    timeout: float = 60.0,
    extra_check: Callable[[], Any] | None = None,
) -> None:
    """Idle: no handler running, every outbox empty, no new event for `quiet_for` seconds (and `extra_check`)."""
    deadline = time.monotonic() + timeout
    quiet_since: float | None = None
    seen = len(produced)
    while time.monotonic() < deadline:
        idle = await _quiet(admin_db, runtimes, produced, seen)
        if idle and extra_check is not None:
            idle = bool(await extra_check())
        seen = len(produced)
        if idle:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= quiet_for:
                return
        else:
            quiet_since = None
        await asyncio.sleep(0.1)
    raise TimeoutError(f"the system did not go idle within {timeout}s")


@contextlib.asynccontextmanager
async def replay_stream(
    stream: str | Path,
    *,
    services: Sequence[ServiceDefinition],
    run_service: Callable[..., Any],
    amqp: AbstractConnection,
    topology: Topology,
    admin_db: asyncpg.Connection,
    contexts: Mapping[str, Any] | None = None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    sources: set[str] | None = None,
    options: ReplayOptions = ReplayOptions(),
) -> AsyncIterator[ReplayedSystem]:
    """`services` run with their `contexts` and `settings` overrides (by service name); `sources` keeps only the
    stream's events from those services (e.g. {"/services/patrol"} to let a running dispatch decide again)."""
    path = stream if isinstance(stream, Path) else STREAMS / stream
    contexts = contexts or {}
    settings = settings or {}
    async with contextlib.AsyncExitStack() as stack:
        channel = await amqp.channel()
        events = await topology.declare_exchanges(channel)
        capture = await channel.declare_queue(exclusive=True, auto_delete=True)
        await capture.bind(events, routing_key="#")
        system = ReplayedSystem(runtimes={})

        async def keep(message) -> None:
            system.keep(to_structured(parse_envelope(message.headers or {}), message.body))

        await capture.consume(keep, no_ack=True)
        for definition in services:
            runtime = await stack.enter_async_context(
                run_service(
                    definition, context=contexts.get(definition.name), **settings.get(definition.name, {})
                )
            )
            system.runtimes[definition.name] = runtime
        publish_channel = await confirming_channel(amqp)
        publisher = EventPublisher(await publish_channel.get_exchange(topology.events_exchange))
        recorded = [event for event in read_stream(path) if sources is None or event["source"] in sources]
        replayed = prepare(recorded, options)
        await replay(publisher, replayed, options)
        replayed_ids = {str(envelope.id) for envelope, _ in replayed}
        await wait_until_idle(admin_db, system.runtimes, system.produced)
        system.produced = [event for event in system.produced if event["id"] not in replayed_ids]
        yield system


def dump(events: Sequence[Mapping[str, Any]]) -> str:
    """Readable form of events for an assertion message."""
    return "\n".join(json.dumps(event, ensure_ascii=False)[:200] for event in events)
