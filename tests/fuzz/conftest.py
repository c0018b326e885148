"""The four services' HTTP APIs for fuzzing: each app on the real broker and a database of the suite's own
(what the fuzzer writes never meets another test), its lifespan run by schemathesis's in-process ASGI client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aio_pika
import pytest
from fastapi import FastAPI
from schemathesis.python import asgi

from services import SERVICE_NAMES, definition_of
from shared.db.migrate import apply_migrations, load_migrations
from shared.db.provision import drop_database, provision
from shared.messaging.topology import Topology
from tests.support.infra import Infra


@pytest.fixture(scope="session")
async def fuzz_infra(infra_config: Infra, infra: Infra) -> AsyncIterator[Infra]:
    """A database of the fuzz suite's own, with every service's schema and migrations."""
    fuzzed = Infra(
        admin_url=infra_config.admin_url,
        rabbitmq_url=infra_config.rabbitmq_url,
        database=f"{infra_config.database}_fuzz",
        run_id=f"{infra_config.run_id}f",
    )
    await provision(fuzzed.admin_url, fuzzed.database, {name: name for name in SERVICE_NAMES})
    for name in SERVICE_NAMES:
        definition = definition_of(name)
        await apply_migrations(fuzzed.database_url(name), name, load_migrations(definition.directory))
    yield fuzzed
    await drop_database(fuzzed.admin_url, fuzzed.database)


@pytest.fixture(scope="session")
def fuzz_topology(fuzz_infra: Infra) -> Topology:
    return Topology(namespace=f"fuzz{fuzz_infra.run_id}.", delivery_limit=3)


@pytest.fixture(scope="session")
def fuzz_apps(fuzz_infra: Infra, fuzz_topology: Topology, tmp_path_factory) -> Iterator[dict[str, FastAPI]]:
    """Each service's app, built on the fuzz database; schemathesis starts a lifespan on its first request
    and this fixture ends them all."""
    from shared.runtime.app import create_app

    apps = {}
    for name in SERVICE_NAMES:
        definition = definition_of(name)
        extra: dict[str, object] = {
            "patrol": {"photo_dir": tmp_path_factory.mktemp("photos")},
            "notify": {"delivery_worker_enabled": False},
        }.get(name, {})
        settings = definition.settings_class(
            service_name=name,
            database_url=fuzz_infra.database_url(name),
            rabbitmq_url=fuzz_infra.rabbitmq_url,
            amqp_namespace=fuzz_topology.namespace,
            delivery_limit=fuzz_topology.delivery_limit,
            log_format="console",
            log_level="WARNING",
            **extra,
        )
        apps[name] = create_app(definition, settings)
    yield apps
    asgi.shutdown_lifespans()


@pytest.fixture(scope="session", autouse=False)
async def fuzz_broker_cleanup(fuzz_infra: Infra, fuzz_topology: Topology) -> AsyncIterator[None]:
    """Deletes the suite's exchanges and queues at the end."""
    yield
    connection = await aio_pika.connect_robust(fuzz_infra.rabbitmq_url)
    try:
        channel = await connection.channel()
        for name in SERVICE_NAMES:
            definition = definition_of(name)
            for purpose in [*definition.consumed_event_types, "dead-letter"]:
                await channel.queue_delete(fuzz_topology.queue(name, purpose))
        await channel.exchange_delete(fuzz_topology.events_exchange)
        await channel.exchange_delete(fuzz_topology.dead_letter_exchange)
    finally:
        await connection.close()
