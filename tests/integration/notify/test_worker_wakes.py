"""The delivery worker is woken by the commit that plans a delivery, not by its next poll."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime

from shared.clock import DISTRICT_TIMEZONE, ManualClock
from tests.integration.notify.conftest import add_recipient
from tests.integration.notify.events import dispatch_assigned
from tests.support.waiting import eventually

NOON = datetime(2026, 4, 6, 12, 0, tzinfo=DISTRICT_TIMEZONE)
POLL_SECONDS = 60.0


async def test_a_planned_delivery_is_sent_at_once_although_the_worker_polls_only_every_minute(
    running_notify, publish, admin_db, webhook
):
    await add_recipient(admin_db, "unit:pm-test-01", [("webhook", webhook.url)])
    async with running_notify(ManualClock(NOON.astimezone(UTC)), worker_poll_seconds=POLL_SECONDS) as notify:
        worker = asyncio.create_task(notify.worker.run())
        try:
            await asyncio.sleep(0.5)  # its first pass found nothing: it now waits for a wake-up or the poll
            published = time.monotonic()
            await publish(dispatch_assigned(NOON))

            async def delivered() -> bool:
                return len(webhook.received) == 1

            await eventually(delivered, timeout=10, what="the webhook call, long before the next poll")
            assert time.monotonic() - published < POLL_SECONDS / 4
        finally:
            notify.worker.stop()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(worker, timeout=10)
    assert webhook.received[0].body["recipient_id"] == "unit:pm-test-01"
