"""Fixtures for the notify service: a local webhook receiver that checks signatures, a local SMTP server,
a notify context on a manual clock, and helpers to publish events and drive the delivery worker."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import asyncpg
import pytest
from aiosmtpd.controller import Controller

from services.notify.bootstrap import definition as notify_definition
from services.notify.context import NotifyContext, build_context
from services.notify.handlers.directory import replace_contacts
from services.notify.handlers.worker import DeliveryWorker
from shared.clock import ManualClock
from shared.events.envelope import Envelope, encode_data, new_envelope
from shared.events.registry import EventData
from shared.messaging.publisher import EventPublisher, confirming_channel

WEBHOOK_SECRET = "a-webhook-secret-for-the-tests-only"
NOTIFY_TABLES = (
    "delivery_attempts",
    "deliveries",
    "contact_points",
    "recipients",
    "reference_loads",
    "reminder_cancellations",
    "channel_windows",
    "awaiting_recipients",
    "inbox",
    "outbox",
)


@dataclass
class Received:
    headers: dict[str, str]
    body: dict
    signature_valid: bool


@dataclass
class WebhookReceiver:
    """A real HTTP server on 127.0.0.1; answers with the scripted statuses in turn, then 200."""

    url: str
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def webhook() -> WebhookReceiver:
    receiver = WebhookReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            timestamp = self.headers.get("X-Grassroots-Timestamp", "")
            expected = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256)
            valid = hmac.compare_digest(
                self.headers.get("X-Grassroots-Signature", ""), f"sha256={expected.hexdigest()}"
            )
            receiver.received.append(Received(dict(self.headers.items()), json.loads(raw), valid))
            status = receiver.script.pop(0) if receiver.script else 200
            self.send_response(status if valid else 401)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/grassroots"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@dataclass
class Mailbox:
    port: int
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's naming)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Mailbox:
    mailbox = Mailbox(port=_free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    yield mailbox
    controller.stop()


@pytest.fixture
async def clean_notify(infra, admin_db: asyncpg.Connection) -> None:
    await admin_db.execute("TRUNCATE " + ", ".join(f"notify.{table}" for table in NOTIFY_TABLES) + " CASCADE")


@dataclass
class Notify:
    """A notify service under test: its context (manual clock), its runtime, and a worker the test drives."""

    context: NotifyContext
    clock: ManualClock
    runtime: object = None
    worker: DeliveryWorker | None = None

    async def deliver(self) -> int:
        assert self.worker is not None
        return await self.worker.run_once()


@pytest.fixture
def notify_context(settings_for, webhook, smtp) -> Callable[..., NotifyContext]:
    definition = notify_definition()

    def build(clock: ManualClock, **overrides: object) -> NotifyContext:
        values: dict[str, object] = {
            "webhook_secret": WEBHOOK_SECRET,
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "delivery_worker_enabled": False,  # the tests drive the worker themselves
            "load_units_at_start": False,
        }
        settings = settings_for(definition, **{**values, **overrides})
        return build_context(settings, clock=clock)

    return build


@pytest.fixture
def running_notify(run_service, notify_context, clean_notify):
    """`async with running_notify(clock) as notify:` runs notify's consumers and relay; the test drives the worker."""
    definition = notify_definition()

    @contextlib.asynccontextmanager
    async def running(clock: ManualClock, **overrides: object) -> AsyncIterator[Notify]:
        context = notify_context(clock, **overrides)
        async with run_service(definition, context=context, **overrides) as runtime:
            notify = Notify(context=context, clock=clock, runtime=runtime)
            notify.worker = DeliveryWorker(
                runtime.pool, context, definition.source, deliveries=runtime.metrics.notify_deliveries
            )
            try:
                yield notify
            finally:
                await context.http.aclose()

    return running


@pytest.fixture
async def publish(amqp, topology):
    channel = await confirming_channel(amqp)
    await topology.declare_exchanges(channel)
    exchange = await channel.get_exchange(topology.events_exchange)
    publisher = EventPublisher(exchange)

    async def send(
        data: EventData, *, envelope: Envelope | None = None, source: str = "/services/test"
    ) -> Envelope:
        envelope = envelope or new_envelope(data, source=source)
        await publisher.publish(envelope, encode_data(data))
        return envelope

    yield send
    await channel.close()


async def add_recipient(
    conn: asyncpg.Connection,
    recipient_id: str,
    contacts: list[tuple[str, str]],
    *,
    kind: str = "unit",
    name: str = "团结物业",
    language: str = "zh-CN",
    quiet: tuple[str, str] | None = None,
) -> None:
    """Put a recipient straight into notify's directory (the tests of the directory go through events)."""
    await conn.execute(
        """INSERT INTO notify.recipients (recipient_id, kind, display_name, preferred_language, quiet_start,
               quiet_end, as_of) VALUES ($1, $2, $3, $4, $5::text::time, $6::text::time, $7)""",
        recipient_id,
        kind,
        name,
        language,
        quiet[0] if quiet else None,
        quiet[1] if quiet else None,
        datetime.now(UTC),
    )
    await conn.execute("SET search_path = notify")
    try:
        await replace_contacts(conn, recipient_id, contacts)
    finally:
        await conn.execute("RESET search_path")
