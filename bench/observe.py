"""What the benchmark watches: `dispatch.assigned` on a queue of its own, and the webhook deliveries at a sink.

All times are `time.perf_counter()` of this process, the same clock the feeders stamp commits with.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aio_pika
import uvicorn

from shared.messaging.topology import Topology


@dataclass
class Tracker:
    """Every report the benchmark made, and what became of it."""

    committed: dict[str, float] = field(default_factory=dict)  # report id → commit acknowledged
    assigned: dict[str, list[tuple[str, float]]] = field(default_factory=lambda: defaultdict(list))
    assigned_messages: Counter[str] = field(default_factory=Counter)  # event id → copies received
    reports_of_event: dict[str, list[str]] = field(default_factory=dict)  # dispatch.assigned id → report ids
    deliveries: dict[str, list[tuple[str, float]]] = field(default_factory=lambda: defaultdict(list))
    notification_events: Counter[str] = field(default_factory=Counter)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def on_assigned(self, event_id: str, report_ids: list[str], at: float) -> None:
        self.assigned_messages[event_id] += 1
        if self.assigned_messages[event_id] > 1:
            return  # a redelivered copy (at least once): the services' inboxes drop it too
        self.reports_of_event[event_id] = report_ids
        for report_id in report_ids:
            self.assigned[report_id].append((event_id, at))
        self.changed.set()

    def on_delivery(self, cause_event_id: str, delivery_id: str, at: float) -> None:
        self.deliveries[cause_event_id].append((delivery_id, at))
        self.changed.set()

    def first_assigned(self, report_id: str) -> float | None:
        seen = self.assigned.get(report_id)
        return seen[0][1] if seen else None

    def delivered_at(self, report_id: str) -> list[tuple[str, float]]:
        """The distinct webhook deliveries about this report's assignment (normally one)."""
        found: dict[str, float] = {}
        for event_id, _ in self.assigned.get(report_id, []):
            for delivery_id, at in self.deliveries.get(event_id, []):
                found.setdefault(delivery_id, at)
        return sorted(found.items(), key=lambda item: item[1])

    def complete(self, report_ids: list[str]) -> bool:
        return all(self.assigned.get(r) and self.delivered_at(r) for r in report_ids)

    async def wait_complete(self, report_ids: list[str], timeout: float) -> bool:
        deadline = time.perf_counter() + timeout
        while not self.complete(report_ids):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return False
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), timeout=min(remaining, 0.5))
        return True


class WebhookSink:
    """A bare ASGI app: answers 204 to every POST /hook and records its delivery id and the cause event id."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.received = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        at = time.perf_counter()
        if scope["method"] == "POST" and scope["path"] == "/hook":
            self.received += 1
            headers = dict(scope["headers"])
            payload = json.loads(body)
            delivery_id = headers.get(b"x-grassroots-delivery", b"").decode() or payload["delivery_id"]
            self.tracker.on_delivery(payload["event_id"], delivery_id, at)
            status = 204
        else:
            status = 404
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@contextlib.asynccontextmanager
async def webhook_sink(tracker: Tracker, port: int) -> AsyncIterator[WebhookSink]:
    sink = WebhookSink(tracker)
    config = uvicorn.Config(
        sink, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield sink
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def assigned_observer(rabbitmq_url: str, topology: Topology, tracker: Tracker) -> AsyncIterator[None]:
    """A queue of the benchmark's own in the run's namespace, bound to dispatch.assigned and notification.*"""
    connection = await aio_pika.connect(rabbitmq_url)
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=500)
        exchange = await channel.get_exchange(topology.events_exchange, ensure=True)
        queue = await channel.declare_queue(
            topology.queue("bench", "observer"), exclusive=True, auto_delete=True
        )
        await queue.bind(exchange, routing_key="dispatch.assigned")
        await queue.bind(exchange, routing_key="notification.*")

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            at = time.perf_counter()
            event_type = message.type or ""
            if event_type == "dispatch.assigned":
                body = json.loads(message.body)
                tracker.on_assigned(message.message_id or "", body["report_ids"], at)
            else:
                tracker.notification_events[event_type] += 1
            await message.ack()

        tag = await queue.consume(on_message)
        try:
            yield
        finally:
            await queue.cancel(tag)
    finally:
        await connection.close()
