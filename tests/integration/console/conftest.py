"""The console on the real database and broker, calling dispatch's real API in the same process."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from services.console.bootstrap import definition as console_definition
from services.console.context import ConsoleContext
from services.console.handlers import accounts
from services.dispatch.bootstrap import definition as dispatch_definition
from services.dispatch.context import DispatchContext, DispatchSettings
from services.dispatch.handlers.reference import load_reference
from shared.clock import SystemClock
from shared.db.pool import create_pool
from shared.reference import ReferenceBundle
from shared.runtime.app import create_app
from shared.runtime.service import ServiceRuntime

BUNDLE = ReferenceBundle.load()
PASSWORD = "correct horse battery"
DISPATCH_TABLES = "case_transitions escalations withdrawals reports cases unit_members outbox inbox".split()


@pytest.fixture
async def console_pool(infra, admin_db: asyncpg.Connection) -> AsyncIterator[asyncpg.Pool]:
    await admin_db.execute("TRUNCATE console.accounts")
    pool = await create_pool(infra.database_url("console"), "console")
    yield pool
    await pool.close()


@pytest.fixture
async def dispatch_pool(infra, admin_db: asyncpg.Connection) -> AsyncIterator[asyncpg.Pool]:
    """dispatch's cases emptied before, and again after (its outbox too: no event of these tests is left for a
    later test's dispatch to publish)."""
    tables = ", ".join(f"dispatch.{table}" for table in DISPATCH_TABLES)
    await admin_db.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    pool = await create_pool(infra.database_url("dispatch"), "dispatch")
    async with pool.acquire() as conn:
        await load_reference(conn, BUNDLE, at=SystemClock().now())
    yield pool
    await pool.close()
    await admin_db.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture
def dispatch_context() -> DispatchContext:
    settings = DispatchSettings(
        service_name="dispatch", sweep_interval_seconds=3600, load_reference_on_start=False
    )
    return DispatchContext(settings=settings, clock=SystemClock(), bundle=BUNDLE)


@pytest.fixture
async def console(
    settings_for, console_pool, dispatch_pool, dispatch_context
) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client of the console, whose calls to dispatch reach dispatch's app in this process."""
    dispatch = dispatch_definition()
    dispatch_settings = settings_for(dispatch)
    dispatch_app = create_app(
        dispatch, dispatch_settings, ServiceRuntime(dispatch, dispatch_settings, context=dispatch_context)
    )
    service = console_definition()
    settings = settings_for(service, login_failure_delay_seconds=0.2, dispatch_url="http://dispatch")
    context = ConsoleContext(settings=settings, bundle=BUNDLE)
    context.platform.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=dispatch_app))
    app = create_app(service, settings, ServiceRuntime(service, settings, context=context))
    async with dispatch_app.router.lifespan_context(dispatch_app), app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://console.test"
        ) as browser:
            yield browser


async def make_account(pool: asyncpg.Pool, username: str, *roles: str, **where: str) -> accounts.Account:
    async with pool.acquire() as conn:
        return await accounts.create(
            conn, accounts.NewAccount(username, PASSWORD, username.title(), tuple(roles), **where)
        )


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


async def sign_in(console: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    form = await console.get("/login")
    return await console.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_of(form)}
    )
