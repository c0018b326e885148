"""Background tasks outlive their failures: the supervisor restarts what raised and /readyz names what is down;
notify's delivery worker and the relay keep working across a restart and a crash of their PostgreSQL.

The database of the restart test is a private cluster on a free loopback port (tests/support/private_postgres.py):
the machine's server is shared and never restarted.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
import structlog

from services import definition_of
from shared.db.migrate import apply_migrations, load_migrations
from shared.db.provision import provision
from shared.runtime.app import create_app
from shared.runtime.service import ServiceRuntime
from shared.runtime.supervision import Backoff
from tests.support import probes
from tests.support.private_postgres import private_postgres, why_not_available
from tests.support.waiting import eventually

FAST_RESTARTS = Backoff(initial_seconds=0.2, max_seconds=1.0, healthy_after_seconds=5.0)


class Readiness:
    """Asks /readyz every 50 ms in the background and keeps every answer."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.answers: list[tuple[int, dict[str, str]]] = []
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        while True:
            response = await self.client.get("/readyz")
            self.answers.append((response.status_code, response.json()["checks"]))
            await asyncio.sleep(0.05)

    def __enter__(self) -> Readiness:
        self._task = asyncio.create_task(self._watch())
        return self

    def __exit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()

    async def ready_now(self) -> bool:
        return bool(self.answers) and self.answers[-1][0] == 200


async def test_a_failing_background_task_is_logged_restarted_and_reported_until_it_runs_again(
    infra, settings_for
):
    failures_left = 3
    running = asyncio.Event()

    async def flaky_task(_runtime: ServiceRuntime) -> None:
        nonlocal failures_left
        if failures_left:
            failures_left -= 1
            await asyncio.sleep(0.1)
            raise ConnectionResetError("the database went away")
        running.set()
        await asyncio.Event().wait()

    definition = dataclasses.replace(probes.CONSUMER, background=[flaky_task])
    settings = settings_for(definition)
    runtime = ServiceRuntime(definition, settings, restart_backoff=Backoff(0.3, 0.6, 60.0))
    app = create_app(definition, settings, runtime)  # its lifespan would set logging up anew: started here
    with structlog.testing.capture_logs() as logs:
        await runtime.start()
        try:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                with Readiness(client) as readiness:
                    await asyncio.wait_for(running.wait(), timeout=10)
                    await eventually(readiness.ready_now, what="/readyz to be ready again")
        finally:
            await runtime.stop()
    not_ready = [checks for status, checks in readiness.answers if status == 503]
    assert not_ready, "/readyz said not ready while the task waited to be restarted"
    assert all(
        checks["flaky_task"].startswith("restarting after ConnectionResetError") for checks in not_ready
    )
    assert all(checks["database"] == "ok" and checks["broker"] == "ok" for checks in not_ready)
    assert runtime.supervisor.restarts("flaky_task") == 3
    failures = [entry for entry in logs if entry["event"] == "background task failed; restarting it"]
    assert [entry["restart_in_seconds"] for entry in failures] == [0.3, 0.6, 0.6], "capped back-off"
    assert all(entry["task"] == "flaky_task" and entry["exc_info"] for entry in failures), "with traceback"


async def test_a_background_task_that_returns_is_done_and_stays_ready(infra, settings_for):
    async def start_up_job(_runtime: ServiceRuntime) -> None:
        return None

    definition = dataclasses.replace(probes.CONSUMER, background=[start_up_job])
    settings = settings_for(definition)
    runtime = ServiceRuntime(definition, settings)
    await runtime.start()
    try:
        await asyncio.sleep(0.2)
        checks = await runtime.readiness()
    finally:
        await runtime.stop()
    assert checks["start_up_job"] == "ok"
    assert runtime.supervisor.restarts("start_up_job") == 0


async def _add_log_delivery(admin_url: str, recipient: str) -> uuid.UUID:
    delivery_id = uuid.uuid4()
    conn = await asyncpg.connect(admin_url)
    try:
        now = datetime.now(UTC)
        await conn.execute(
            """INSERT INTO notify.recipients (recipient_id, kind, display_name, as_of) VALUES ($1, 'unit', 'x', $2)
               ON CONFLICT DO NOTHING""",
            recipient,
            now,
        )
        await conn.execute(
            "INSERT INTO notify.contact_points VALUES ($1, 'log', 'ops') ON CONFLICT DO NOTHING", recipient
        )
        await conn.execute(
            """INSERT INTO notify.deliveries (delivery_id, cause_event_id, cause_event_type, correlation_id,
                   recipient_id, channel, purpose, template, language, body, urgent, due_at, next_attempt_at,
                   created_at)
               VALUES ($1, $2, 'issue.resolved', $2, $3, 'log', 'notice', 't', 'zh-CN', '已处理', true, $4, $4, $4)""",
            delivery_id,
            uuid.uuid4(),
            recipient,
            now,
        )
    finally:
        await conn.close()
    return delivery_id


def _sent(admin_url: str, delivery_id: uuid.UUID):
    async def check() -> bool:
        try:
            conn = await asyncpg.connect(admin_url, timeout=2)
        except (TimeoutError, OSError, asyncpg.PostgresError):
            return False
        try:
            status = await conn.fetchval(
                "SELECT status FROM notify.deliveries WHERE delivery_id = $1", delivery_id
            )
        finally:
            await conn.close()
        return status == "sent"

    return check


async def test_notify_delivers_again_after_its_postgresql_restarts_and_after_it_is_killed(
    infra, topology, settings_for
):
    reason = why_not_available()
    if reason:
        pytest.skip(reason)
    definition = definition_of("notify")
    async with private_postgres() as server:
        await provision(server.admin_url, "grassroots", {"notify": "notify"})
        database_url = server.url("grassroots", "notify", "notify")
        await apply_migrations(database_url, "notify", load_migrations(definition.directory))
        admin_url = server.url("grassroots")
        settings = settings_for(
            definition,
            database_url=database_url,
            load_units_at_start=False,
            worker_poll_seconds=0.2,
            delivery_worker_enabled=True,
        )
        runtime = ServiceRuntime(definition, settings, restart_backoff=FAST_RESTARTS)
        app = create_app(definition, settings, runtime)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                first = await _add_log_delivery(admin_url, "unit:before")
                await eventually(_sent(admin_url, first), what="the worker to deliver before any fault")
                for fault in (server.restart, server.kill):
                    with Readiness(client) as readiness:
                        await eventually(readiness.ready_now, what="/readyz to say ready before the fault")
                        await fault()
                        after = await _add_log_delivery(admin_url, f"unit:after-{fault.__name__}")
                        await eventually(
                            _sent(admin_url, after),
                            timeout=30,
                            what=f"the worker to deliver after {fault.__name__}",
                        )
                        await eventually(readiness.ready_now, timeout=30, what="/readyz to be ready again")
                    statuses = [status for status, _ in readiness.answers]
                    assert 503 in statuses, f"/readyz said not ready during the {fault.__name__}"
                    assert statuses[-1] == 200
                    checks = readiness.answers[-1][1]
                    assert checks["deliver"] == "ok" and checks["outbox_relay"] == "ok", checks
                await eventually(
                    lambda: _outbox_drained(admin_url), what="the relay to publish the notification events"
                )
        assert runtime.supervisor.restarts("deliver") == 0, "the worker itself outlives a database restart"


async def _outbox_drained(admin_url: str) -> bool:
    conn = await asyncpg.connect(admin_url)
    try:
        return await conn.fetchval("SELECT count(*) FROM notify.outbox WHERE published_at IS NULL") == 0
    finally:
        await conn.close()
