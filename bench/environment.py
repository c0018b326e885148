"""A throwaway installation for one benchmark run: its own database, AMQP namespace, reference bundle and ports.

The three services of the hazard pipeline (patrol, dispatch, notify) run as real processes
(`python -m services.<name> run`), exactly as deployed, so their memory and CPU can be read from /proc.
Everything is removed at the end: the database is dropped, the namespace's queues and exchanges deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services import definition_of
from shared.db.migrate import apply_migrations, load_migrations
from shared.db.provision import drop_database, provision
from shared.db.url import with_database, with_user
from shared.messaging.connection import connect
from shared.messaging.topology import Topology
from shared.settings import DEFAULT_BUNDLE, LOCAL_ADMIN_DATABASE_URL, LOCAL_RABBITMQ_URL

PIPELINE = ("patrol", "dispatch", "notify")
REPOSITORY = Path(__file__).resolve().parent.parent
AUTH_SECRET = "grassroots-benchmark-secret-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Installation:
    run_id: str
    admin_url: str
    rabbitmq_url: str
    database: str
    topology: Topology
    bundle: Path
    workdir: Path
    ports: dict[str, int]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def database_url(self, service: str) -> str:
        return with_user(with_database(self.admin_url, self.database), service, service)

    @property
    def admin_database_url(self) -> str:
        return with_database(self.admin_url, self.database)

    def base_url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"


def webhook_bundle(target: Path, hook_url: str) -> Path:
    """A copy of the sample bundle whose every unit is reached by one webhook to the benchmark's sink."""
    shutil.copytree(DEFAULT_BUNDLE, target)
    units_file = target / "units.json"
    units = json.loads(units_file.read_text())
    for unit in units:
        unit["contacts"] = [{"channel": "webhook", "address": hook_url}]
    units_file.write_text(json.dumps(units, ensure_ascii=False, indent=1))
    return target


def service_environment(install: Installation, service: str, overrides: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": install.database_url(service),
            "RABBITMQ_URL": install.rabbitmq_url,
            "AMQP_NAMESPACE": install.topology.namespace,
            "HTTP_PORT": str(install.ports[service]),
            "HTTP_HOST": "127.0.0.1",
            "REFERENCE_BUNDLE": str(install.bundle),
            "AUTH_SECRET": AUTH_SECRET,
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "json",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if service == "patrol":
        env["PHOTO_DIR"] = str(install.workdir / "photos")
    if service == "dispatch":
        # Every benchmark report must open its own case: reports are spread over the grid, and only reports at
        # the very same spot would merge.
        env["MERGE_DISTANCE_M"] = "0.001"
        env["SWEEP_INTERVAL_SECONDS"] = "3600"
    if service == "notify":
        env["QUIET_HOURS_DEFAULT"] = "00:00-00:00"  # never quiet: the benchmark runs at any hour
        env["RATE_LIMITS"] = json.dumps({"webhook": 10_000_000, "log": 10_000_000})
    env.update(overrides)
    return env


async def _wait_ready(install: Installation, service: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            process = install.processes[service]
            if process.poll() is not None:
                raise RuntimeError(f"{service} exited with {process.returncode} before it was ready")
            with contextlib.suppress(httpx.HTTPError):
                response = await client.get(f"{install.base_url(service)}/readyz", timeout=2)
                if response.status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{service} not ready after {timeout} s")
            await asyncio.sleep(0.2)


async def start_services(
    install: Installation, overrides: dict[str, dict[str, str]] | None = None, timeout: float = 60
) -> None:
    overrides = overrides or {}
    for service in PIPELINE:
        log = (install.workdir / f"{service}.log").open("ab")
        install.processes[service] = subprocess.Popen(
            [sys.executable, "-m", f"services.{service}", "run"],
            cwd=REPOSITORY,
            env=service_environment(install, service, overrides.get(service, {})),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    await asyncio.gather(*(_wait_ready(install, service, timeout) for service in PIPELINE))


def stop_services(install: Installation, timeout: float = 20) -> dict[str, int | None]:
    for process in install.processes.values():
        if process.poll() is None:
            process.terminate()
    codes: dict[str, int | None] = {}
    for service, process in install.processes.items():
        try:
            codes[service] = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            codes[service] = process.wait()
    install.processes.clear()
    return codes


async def _delete_namespace(install: Installation) -> None:
    connection = await connect(install.rabbitmq_url)
    try:
        channel = await connection.channel()
        for service in PIPELINE:
            for purpose in [*definition_of(service).consumed_event_types, "dead-letter"]:
                await channel.queue_delete(install.topology.queue(service, purpose))
            for queue in install.topology.retry_queues(service):
                await channel.queue_delete(queue)
        for exchange in install.topology.exchanges:
            await channel.exchange_delete(exchange)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def installation(
    hook_url: str, *, admin_url: str | None = None, rabbitmq_url: str | None = None
) -> AsyncIterator[Installation]:
    """Provision and migrate a fresh database, and give everything else a fresh name; remove it all at the end.

    The servers are `ADMIN_DATABASE_URL` and `RABBITMQ_URL` unless given (the chaos run passes its own).
    """
    run_id = uuid.uuid4().hex[:8]
    workdir = Path(tempfile.mkdtemp(prefix=f"grassroots-bench-{run_id}-"))
    install = Installation(
        run_id=run_id,
        admin_url=admin_url or os.environ.get("ADMIN_DATABASE_URL", LOCAL_ADMIN_DATABASE_URL),
        rabbitmq_url=rabbitmq_url or os.environ.get("RABBITMQ_URL", LOCAL_RABBITMQ_URL),
        database=f"grassroots_bench_{run_id}",
        topology=Topology(namespace=f"bench{run_id}."),
        bundle=webhook_bundle(workdir / "bundle", hook_url),
        workdir=workdir,
        ports={service: free_port() for service in PIPELINE},
    )
    try:
        await provision(install.admin_url, install.database, {name: name for name in PIPELINE})
        for name in PIPELINE:
            definition = definition_of(name)
            await apply_migrations(install.database_url(name), name, load_migrations(definition.directory))
        yield install
    finally:
        stop_services(install)
        with contextlib.suppress(Exception):
            await _delete_namespace(install)
        await drop_database(install.admin_url, install.database)
        if os.environ.get("BENCH_KEEP_LOGS"):
            print(f"service logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
