"""notify's delivery worker under the runtime's supervisor: after a failure it is started again and still sends."""

from __future__ import annotations

from datetime import UTC, datetime

from services.notify.handlers.worker import DeliveryWorker
from shared.clock import DISTRICT_TIMEZONE, ManualClock
from tests.integration.notify.conftest import add_recipient
from tests.integration.notify.events import dispatch_assigned
from tests.support.db import count
from tests.support.waiting import eventually

NOON = datetime(2026, 4, 6, 12, 0, tzinfo=DISTRICT_TIMEZONE)


async def test_a_delivery_worker_restarted_after_a_failure_still_sends_on_its_channels(
    running_notify, publish, admin_db, webhook, monkeypatch
):
    started = 0
    run = DeliveryWorker.run

    async def failing_the_first_time(worker: DeliveryWorker) -> None:
        nonlocal started
        started += 1
        if started == 1:
            raise RuntimeError("a bug in the worker")
        await run(worker)

    monkeypatch.setattr(DeliveryWorker, "run", failing_the_first_time)
    await add_recipient(admin_db, "unit:pm-test-01", [("webhook", webhook.url)])
    async with running_notify(
        ManualClock(NOON.astimezone(UTC)), delivery_worker_enabled=True, worker_poll_seconds=0.1
    ) as notify:
        await eventually(lambda: _started_twice(started), what="the supervisor to start the worker again")
        await publish(dispatch_assigned(NOON))
        await eventually(lambda: _sent(admin_db), what="the restarted worker to send the message")
        assert notify.runtime.supervisor.restarts("deliver") == 1
    assert len(webhook.received) == 1


async def _started_twice(started: int) -> bool:
    return started >= 2


async def _sent(admin_db) -> bool:
    return await count(admin_db, "notify.deliveries", "status = 'sent'") == 1
