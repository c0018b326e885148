"""The rules each event reads come from memory: an admin's edit through this process takes effect at once; a
change made elsewhere (another replica, straight in the table) is seen once RULES_CACHE_SECONDS have passed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from services.notify.bootstrap import definition as notify_definition
from services.notify.context import NotifyContext
from services.notify.handlers.notify import handle_event
from shared.auth import issue_token
from shared.clock import ManualClock
from shared.events import Event
from shared.events.envelope import new_envelope
from shared.runtime.app import create_app
from shared.runtime.service import ServiceRuntime
from shared.unit_of_work import UnitOfWork
from tests.integration.notify.conftest import add_recipient
from tests.integration.notify.events import dispatch_assigned
from tests.support.db import count

NOW = datetime(2026, 4, 6, 4, 0, tzinfo=UTC)
EXTRA_RULE = "dispatch-assigned-district-office"
EXTRA_RULE_BODY = {
    "event_type": "dispatch.assigned",
    "selector": "unit:district-office",
    "channels": ["log"],
    "template": "dispatch.assigned",
}


@dataclass
class NotifyProcess:
    """One notify process: its admin API, and its handler of rule events, over the same context."""

    api: httpx.AsyncClient
    admin: dict[str, str]
    context: NotifyContext
    pool: asyncpg.Pool

    async def handle_dispatch_assigned(self) -> None:
        assigned = dispatch_assigned(NOW)
        envelope = new_envelope(assigned, source="/services/dispatch")
        async with self.pool.acquire() as conn, conn.transaction():
            await handle_event(
                UnitOfWork(conn, "/services/notify", envelope, self.context), Event(envelope, assigned)
            )


@pytest.fixture
def notify_process(settings_for, notify_context, clean_notify, admin_db):
    definition = notify_definition()

    @contextlib.asynccontextmanager
    async def start(clock: ManualClock, **overrides: object) -> AsyncIterator[NotifyProcess]:
        await add_recipient(admin_db, "unit:pm-test-01", [("log", "pm-test-01")])
        await add_recipient(admin_db, "unit:district-office", [("log", "district-office")])
        context = notify_context(clock, **overrides)
        settings = context.settings
        app = create_app(definition, settings, ServiceRuntime(definition, settings, context=context))
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://test"
            ) as client:
                token = issue_token(settings.auth_secret, "a-1", ["admin"])
                yield NotifyProcess(client, {"Authorization": f"Bearer {token}"}, context, app.state.pool)
        await context.http.aclose()

    return start


async def _planned_for_the_district_office(admin_db) -> int:
    return await count(admin_db, "notify.deliveries", "recipient_id = 'unit:district-office'")


async def _insert_behind_the_process(admin_db) -> None:
    await admin_db.execute(
        """INSERT INTO notify.rules (rule_id, event_type, selector, channels, template)
           VALUES ($1, 'dispatch.assigned', 'unit:district-office', '{log}', 'dispatch.assigned')""",
        EXTRA_RULE,
    )


async def test_an_admin_edit_through_the_process_takes_effect_at_once(notify_process, admin_db):
    async with notify_process(ManualClock(NOW)) as notify:
        await notify.handle_dispatch_assigned()  # the rules of dispatch.assigned are in memory now
        assert await _planned_for_the_district_office(admin_db) == 0
        created = await notify.api.put(f"/rules/{EXTRA_RULE}", json=EXTRA_RULE_BODY, headers=notify.admin)
        assert created.status_code == 201
        try:
            await notify.handle_dispatch_assigned()
            assert await _planned_for_the_district_office(admin_db) == 1, "the new rule, with no wait"
        finally:
            deleted = await notify.api.delete(f"/rules/{EXTRA_RULE}", headers=notify.admin)
        assert deleted.status_code == 204
        await notify.handle_dispatch_assigned()
        assert await _planned_for_the_district_office(admin_db) == 1, "the deleted rule, gone with no wait"
    assert await count(admin_db, "notify.deliveries", "recipient_id = 'unit:pm-test-01'") == 3


async def test_a_change_behind_the_process_is_seen_once_the_cache_time_has_passed(notify_process, admin_db):
    clock = ManualClock(NOW)
    async with notify_process(clock, rules_cache_seconds=5) as notify:
        await notify.handle_dispatch_assigned()
        await _insert_behind_the_process(admin_db)
        try:
            clock.advance(timedelta(seconds=4))
            await notify.handle_dispatch_assigned()
            assert await _planned_for_the_district_office(admin_db) == 0, "the rules read 4 s ago still hold"
            clock.advance(timedelta(seconds=1))
            await notify.handle_dispatch_assigned()
            assert await _planned_for_the_district_office(admin_db) == 1
        finally:
            await admin_db.execute("DELETE FROM notify.rules WHERE rule_id = $1", EXTRA_RULE)


async def test_a_cache_time_of_zero_reads_the_rules_for_every_event(notify_process, admin_db):
    async with notify_process(ManualClock(NOW), rules_cache_seconds=0) as notify:
        await notify.handle_dispatch_assigned()
        await _insert_behind_the_process(admin_db)
        try:
            await notify.handle_dispatch_assigned()
            assert await _planned_for_the_district_office(admin_db) == 1
        finally:
            await admin_db.execute("DELETE FROM notify.rules WHERE rule_id = $1", EXTRA_RULE)
