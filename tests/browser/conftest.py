"""The five services as processes on free ports, and Debian's Chromium driven by Playwright (never downloaded)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import pytest

from services import SERVICE_NAMES, definition_of
from services.console.handlers import accounts
from shared.db.pool import connect
from shared.messaging.topology import Topology
from tests.support.processes import free_port, service_process

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "var" / "screenshots"
# axe-core from npm (`npm pack axe-core`), with its licence beside it: injected into each page the tests see.
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class System:
    urls: dict[str, str]
    console_database_url: str

    @property
    def console(self) -> str:
        return self.urls["console"]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        subprocess.run([str(ROOT / "scripts" / "browser")], check=False)
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/browser installs it as root)")
    return CHROMIUM


@pytest.fixture(scope="module")
async def system(infra) -> AsyncIterator[System]:
    """patrol, dispatch, notify, training and the console, started together on this module's own queues."""
    namespace = f"t{infra.run_id}-browser."
    ports = {name: free_port() for name in SERVICE_NAMES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    photos = tempfile.TemporaryDirectory()
    base = dict(
        os.environ,
        RABBITMQ_URL=infra.rabbitmq_url,
        AMQP_NAMESPACE=namespace,
        LOG_LEVEL="WARNING",
        PHOTO_DIR=photos.name,
        PUBLIC_BASE_URL=urls["patrol"],
        CONSOLE_PUBLIC_URL=urls["console"],
        **{f"{name.upper()}_URL": url for name, url in urls.items() if name != "console"},
    )
    async with AsyncExitStack() as stack:
        stack.callback(photos.cleanup)
        stack.push_async_callback(_delete_queues, infra.rabbitmq_url, namespace)
        starting = [
            stack.enter_async_context(
                service_process(name, {**base, "DATABASE_URL": infra.database_url(name)}, ports[name])
            )
            for name in SERVICE_NAMES
        ]
        await asyncio.gather(*starting)
        yield System(urls, infra.database_url("console"))


async def _delete_queues(rabbitmq_url: str, namespace: str) -> None:
    topology = Topology(namespace=namespace)
    connection = await aio_pika.connect_robust(rabbitmq_url)
    channel = await connection.channel()
    for name in SERVICE_NAMES:
        for purpose in [*definition_of(name).consumed_event_types, "dead-letter"]:
            await channel.queue_delete(topology.queue(name, purpose))
    await channel.exchange_delete(topology.events_exchange)
    await channel.exchange_delete(topology.dead_letter_exchange)
    await connection.close()


async def make_account(system: System, username: str, *roles: str, **where: str) -> None:
    conn = await connect(system.console_database_url, "console")
    try:
        await accounts.create(conn, accounts.NewAccount(username, PASSWORD, username, tuple(roles), **where))
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def browser(chromium_path: str) -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


def elsewhere(context, system: System) -> list[str]:
    """What the pages of a context asked for anywhere but the console (a CDN, a service's own port…)."""
    return [url for url in context.requested if not url.startswith(f"{system.console}/")]


async def accessibility_violations(page, impacts: tuple[str, ...] = ("critical",)) -> list[dict]:
    """What axe-core finds on the page as it stands, of the given impacts: rule, impact, help and the elements."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = await page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))"""
    )
    return [violation for violation in found if violation["impact"] in impacts]


async def screenshot(page, name: str) -> None:
    """Every page the tests show is checked by axe-core (no critical violation) and photographed."""
    violations = await accessibility_violations(page)
    assert violations == [], f"{name}: {violations}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def signed_in(browser, system: System, username: str, **options):
    """A new browser context (its own cookies) with `username` signed in; returns (context, page).

    Every URL the pages ask for is recorded in `context.requested`: the console serves everything itself.
    """
    context = await browser.new_context(base_url=system.console, **options)
    context.requested = []
    context.on("request", lambda request: context.requested.append(request.url))
    page = await context.new_page()
    await page.goto("/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_load_state("networkidle")
    return context, page
