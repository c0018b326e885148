"""Publishing a recorded stream again: ids kept or renewed, times kept or shifted, at a chosen rate."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from shared.events.envelope import Envelope
from shared.events.structured import from_structured
from shared.events.timeshift import shift_data
from shared.messaging.publisher import EventPublisher, Unroutable


@dataclass(frozen=True)
class ReplayOptions:
    renew_ids: bool = False
    shift_to: datetime | None = None
    rate: float = 0.0  # events per second; 0 publishes as fast as the broker confirms


@dataclass
class ReplayResult:
    published: int = 0
    unroutable: int = 0


def prepare(events: Sequence[Mapping[str, Any]], options: ReplayOptions) -> list[tuple[Envelope, bytes]]:
    """Envelopes as they will be published. Renewed ids keep the stream's stories: correlation and causation
    ids that point inside the stream follow their event's new id. Shifted times move the moments inside each
    event's data (deadlines, `reported_at`...) by the same offset as its envelope, so the stream stays consistent."""
    parsed = [from_structured(event) for event in events]
    new_ids: dict[uuid.UUID, uuid.UUID] = {}
    if options.renew_ids:
        new_ids = {envelope.id: uuid.uuid4() for envelope, _ in parsed}
    offset = timedelta(0)
    if options.shift_to is not None and parsed:
        offset = options.shift_to - min(envelope.time for envelope, _ in parsed)
    prepared = []
    for envelope, body in parsed:
        prepared.append(
            (
                replace(
                    envelope,
                    id=new_ids.get(envelope.id, envelope.id),
                    correlation_id=new_ids.get(envelope.correlation_id, envelope.correlation_id),
                    causation_id=new_ids.get(envelope.causation_id, envelope.causation_id)
                    if envelope.causation_id
                    else None,
                    time=envelope.time + offset,
                ),
                _shifted(envelope, body, offset),
            )
        )
    return prepared


def _shifted(envelope: Envelope, body: bytes, offset: timedelta) -> bytes:
    if not offset:
        return body
    data = shift_data(envelope.type, envelope.version, json.loads(body), offset)
    return json.dumps(data, ensure_ascii=False).encode()


async def replay(
    publisher: EventPublisher,
    prepared: Sequence[tuple[Envelope, bytes]],
    options: ReplayOptions,
    progress: Callable[[int], None] = lambda _: None,
) -> ReplayResult:
    result = ReplayResult()
    started = time.monotonic()
    for index, (envelope, body) in enumerate(prepared):
        if options.rate > 0:
            delay = started + index / options.rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        try:
            await publisher.publish(envelope, body)
            result.published += 1
        except Unroutable:
            result.unroutable += 1
        progress(1)
    return result
