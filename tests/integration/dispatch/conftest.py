"""Fixtures for the dispatch service's tests: its tables emptied, a manual clock, the sample units and rules."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import asyncpg
import httpx
import pytest

from services.dispatch.bootstrap import definition
from services.dispatch.context import DispatchContext, DispatchSettings
from services.dispatch.handlers.reference import load_reference
from shared.auth import issue_token
from shared.clock import ManualClock
from shared.db.pool import create_pool
from shared.runtime.app import create_app
from shared.runtime.service import ServiceRuntime
from tests.integration.dispatch.helpers import BUNDLE, START

TABLES = (
    "escalations case_transitions withdrawals reports cases unit_members reference_changes "
    "routing_rules units reference_version outbox inbox"
).split()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def context(clock: ManualClock) -> DispatchContext:
    settings = DispatchSettings(
        service_name="dispatch", sweep_interval_seconds=3600, load_reference_on_start=False
    )
    return DispatchContext(settings=settings, clock=clock, bundle=BUNDLE)


@pytest.fixture
async def pool(infra, admin_db: asyncpg.Connection, context: DispatchContext) -> AsyncIterator[asyncpg.Pool]:
    """The dispatch schema emptied, the sample bundle loaded, and a pool on the service's own role."""
    tables = ", ".join(f"dispatch.{table}" for table in TABLES)
    await admin_db.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    pool = await create_pool(infra.database_url("dispatch"), "dispatch")
    async with pool.acquire() as conn:
        await load_reference(conn, BUNDLE, at=context.clock.now())
    yield pool
    await pool.close()


@pytest.fixture
async def client(
    settings_for, context: DispatchContext, pool: asyncpg.Pool
) -> AsyncIterator[httpx.AsyncClient]:
    """The dispatch HTTP API on the real database and broker (this test's exchange)."""
    service = definition()
    settings = settings_for(service)
    runtime = ServiceRuntime(service, settings, context=context)
    app = create_app(service, settings, runtime)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            yield http


@pytest.fixture
def token(settings_for) -> Callable[..., dict[str, str]]:
    """`token("h-1", "handler", units=["greenery"])` → the Authorization header of a bearer token for that person,
    roles and places."""
    secret = settings_for(definition()).auth_secret

    def headers(
        subject: str, *roles: str, community: str | None = None, units: tuple[str, ...] = ()
    ) -> dict[str, str]:
        token = issue_token(secret, subject, list(roles), community_code=community, unit_ids=units)
        return {"Authorization": f"Bearer {token}"}

    return headers
