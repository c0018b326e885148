"""Case changes fanned out to the pages open in this process (each page's server-sent event stream)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseChange:
    event_type: str
    case_id: str
    community_code: str | None = None
    unit_id: str | None = None


class Broadcaster:
    """Every listener gets every change; a listener too slow to keep up loses the oldest ones (a page reloads
    its board on any change, so a lost one costs nothing)."""

    def __init__(self, backlog: int = 100) -> None:
        self._listeners: set[asyncio.Queue[CaseChange]] = set()
        self._backlog = backlog

    def publish(self, change: CaseChange) -> None:
        for queue in self._listeners:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(change)

    def listen(self) -> asyncio.Queue[CaseChange]:
        queue: asyncio.Queue[CaseChange] = asyncio.Queue(self._backlog)
        self._listeners.add(queue)
        return queue

    def forget(self, queue: asyncio.Queue[CaseChange]) -> None:
        self._listeners.discard(queue)

    @property
    def listeners(self) -> int:
        return len(self._listeners)
