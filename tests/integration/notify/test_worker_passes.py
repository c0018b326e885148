"""A worker pass claims and records its deliveries together: each outcome still lands on its own delivery, and
an outcome that comes back after its lease ran out changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.notify.adapters.channels.port import SendResult
from services.notify.handlers.worker import DeliveryWorker
from shared.clock import DISTRICT_TIMEZONE, ManualClock
from tests.integration.notify.conftest import add_recipient
from tests.integration.notify.events import dispatch_assigned
from tests.support.db import count
from tests.support.waiting import eventually

NOON = datetime(2026, 4, 6, 12, 0, tzinfo=DISTRICT_TIMEZONE)
UNITS = ("pm-test-01", "pm-test-02", "pm-test-03")


async def _planned(admin_db, expected: int) -> bool:
    return await count(admin_db, "notify.deliveries") == expected


async def _events(admin_db) -> list[str]:
    rows = await admin_db.fetch("SELECT event_type FROM notify.outbox ORDER BY event_type")
    return [row["event_type"] for row in rows]


async def test_one_pass_records_a_success_a_transient_and_a_permanent_failure_each_on_its_delivery(
    running_notify, publish, admin_db, webhook
):
    for unit in UNITS:
        await add_recipient(admin_db, f"unit:{unit}", [("webhook", f"{webhook.url}?unit={unit}")])
    webhook.script = [503, 400]  # the pass's three sends get 503, 400 and 200, in whatever order they arrive
    async with running_notify(ManualClock(NOON.astimezone(UTC))) as notify:
        for unit in UNITS:
            await publish(dispatch_assigned(NOON, unit_id=unit))
        await eventually(lambda: _planned(admin_db, 3), what="three deliveries")
        assert await notify.deliver() == 3
        registry = notify.runtime.metrics.registry
        outcomes = {
            outcome: registry.get_sample_value(
                "grassroots_notify_deliveries_total", {"channel": "webhook", "outcome": outcome}
            )
            for outcome in ("success", "transient", "permanent")
        }

    rows = await admin_db.fetch(
        """SELECT d.status, d.attempts, d.last_error, a.outcome, a.finished_at IS NOT NULL AS closed
           FROM notify.deliveries d JOIN notify.delivery_attempts a USING (delivery_id) ORDER BY d.status"""
    )
    assert [(r["status"], r["attempts"], r["outcome"], r["closed"]) for r in rows] == [
        ("failed", 1, "permanent", True),
        ("pending", 1, "transient", True),
        ("sent", 1, "success", True),
    ]
    errors = [row["last_error"] for row in rows]
    assert errors[0].startswith("HTTP 400") and errors[1].startswith("HTTP 503") and errors[2] is None
    assert await _events(admin_db) == ["notification.failed", "notification.sent"]
    assert outcomes == {"success": 1, "transient": 1, "permanent": 1}, "grassroots_notify_deliveries_total"


async def test_an_outcome_that_comes_back_after_its_lease_ran_out_changes_nothing(
    running_notify, publish, admin_db, webhook
):
    await add_recipient(admin_db, "unit:pm-test-01", [("webhook", webhook.url)])
    clock = ManualClock(NOON.astimezone(UTC))
    async with running_notify(clock, lease_seconds=60) as notify:
        await publish(dispatch_assigned(NOON))
        await eventually(lambda: _planned(admin_db, 1), what="the delivery to be planned")
        slow = await notify.worker._claim()  # this worker hangs in its send past the lease
        clock.advance(timedelta(seconds=61))
        other = DeliveryWorker(notify.runtime.pool, notify.context, "/services/notify")
        assert await other.run_once() == 1
        await notify.worker._record([(slow[0], SendResult.permanent("HTTP 410: gone"))])

    row = await admin_db.fetchrow("SELECT status, attempts, last_error FROM notify.deliveries")
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 2, None)
    assert await _events(admin_db) == ["notification.sent"]
    assert len(webhook.received) == 1
