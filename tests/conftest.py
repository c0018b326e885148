"""Fixtures shared by every test: the real broker and database, isolated per run and per test."""

from __future__ import annotations

import contextlib
import itertools
import warnings
from collections.abc import AsyncIterator, Callable

import aio_pika
import asyncpg
import pytest
from hypothesis import HealthCheck, settings

from services import SERVICE_NAMES, definition_of
from shared.db.migrate import apply_migrations, load_migrations
from shared.db.provision import drop_database, provision
from shared.messaging.topology import Topology
from shared.runtime.definition import ServiceDefinition
from shared.runtime.service import ServiceRuntime
from shared.settings import ServiceSettings
from tests.support import probes
from tests.support.infra import Infra, infrastructure

# Property tests check behaviour, not speed: on a machine shared with the broker and the database, an example
# may take longer than hypothesis's timing checks allow without anything being wrong.
settings.register_profile("shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machine")

TEST_DEFINITIONS = [probes.PRODUCER, probes.CONSUMER, probes.BATCHED_CONSUMER]
_test_numbers = itertools.count(1)


def _importable_definitions() -> list[ServiceDefinition]:
    """Every service that imports. One that does not is left out here with a warning, and its own tests (and
    test_every_service_starts_and_reports_ready) fail on the import error, so nothing is hidden."""
    definitions = []
    for name in SERVICE_NAMES:
        try:
            definitions.append(definition_of(name))
        except Exception as error:  # a broken service must not take the other services' tests down
            warnings.warn(f"service {name} does not import: {error!r}", stacklevel=1)
    return definitions


@pytest.fixture(scope="session")
def infra_config() -> Infra:
    with infrastructure() as infra:
        yield infra


@pytest.fixture(scope="session")
async def infra(infra_config: Infra) -> AsyncIterator[Infra]:
    """A fresh database for this run, with every service's role, schema and migrations."""
    definitions = _importable_definitions() + TEST_DEFINITIONS
    await provision(infra_config.admin_url, infra_config.database, {d.name: d.name for d in definitions})
    for definition in definitions:
        await apply_migrations(
            infra_config.database_url(definition.name), definition.name, load_migrations(definition.directory)
        )
    yield infra_config
    await drop_database(infra_config.admin_url, infra_config.database)


@pytest.fixture
async def admin_db(infra: Infra) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(infra.admin_database_url)
    yield conn
    await conn.close()


@pytest.fixture(autouse=True)
async def clean_probe_tables(request: pytest.FixtureRequest) -> None:
    if "infra" not in request.fixturenames:
        return
    infra: Infra = request.getfixturevalue("infra")
    conn = await asyncpg.connect(infra.admin_database_url)
    try:
        for schema in ("probe_producer", "probe_consumer", "probe_batched"):
            tables = await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'schema_migrations'",
                schema,
            )
            for table in tables:
                await conn.execute(f'TRUNCATE "{schema}"."{table["tablename"]}"')
    finally:
        await conn.close()
    probes.transient_failures.clear()
    probes.attempts.clear()


@pytest.fixture
async def amqp(infra: Infra) -> AsyncIterator[aio_pika.abc.AbstractRobustConnection]:
    connection = await aio_pika.connect_robust(infra.rabbitmq_url)
    yield connection
    await connection.close()


@pytest.fixture
async def topology(infra: Infra, amqp: aio_pika.abc.AbstractRobustConnection) -> AsyncIterator[Topology]:
    """Exchange and queue names of this test alone; everything under them is deleted afterwards."""
    topology = Topology(
        namespace=f"t{infra.run_id}-{next(_test_numbers)}.",
        delivery_limit=3,
        retry_backoff_seconds=0.05,
        retry_backoff_max_seconds=0.2,
    )
    yield topology
    channel = await amqp.channel()
    for definition in TEST_DEFINITIONS + _importable_definitions():
        for purpose in [*definition.consumed_event_types, "dead-letter", "sink"]:
            await channel.queue_delete(topology.queue(definition.name, purpose))
        # services started as processes (tests/e2e) use the default back-off levels
        for levels in (topology, Topology(namespace=topology.namespace)):
            for queue in levels.retry_queues(definition.name):
                await channel.queue_delete(queue)
    for exchange in topology.exchanges:
        await channel.exchange_delete(exchange)
    await channel.close()


@pytest.fixture
def settings_for(infra: Infra, topology: Topology) -> Callable[..., ServiceSettings]:
    def build(definition: ServiceDefinition, **overrides: object) -> ServiceSettings:
        values: dict[str, object] = {
            "service_name": definition.name,
            "database_url": infra.database_url(definition.name),
            "rabbitmq_url": infra.rabbitmq_url,
            "amqp_namespace": topology.namespace,
            "delivery_limit": topology.delivery_limit,
            "retry_backoff_seconds": topology.retry_backoff_seconds,
            "retry_backoff_max_seconds": topology.retry_backoff_max_seconds,
            "outbox_poll_seconds": 0.2,
            "log_format": "console",
        }
        values.update(overrides)
        return definition.settings_class(**values)

    return build


@pytest.fixture
def run_service(settings_for: Callable[..., ServiceSettings]):
    """`async with run_service(definition, **settings) as runtime:` runs a service's relay and consumers.

    `context=` replaces the service's dependencies (a fake clock, a temporary photo store...).
    """

    @contextlib.asynccontextmanager
    async def running(definition: ServiceDefinition, **kwargs: object) -> AsyncIterator[ServiceRuntime]:
        after_publish = kwargs.pop("after_publish", None)
        context = kwargs.pop("context", None)
        runtime = ServiceRuntime(
            definition, settings_for(definition, **kwargs), after_publish=after_publish, context=context
        )
        await runtime.start()
        try:
            yield runtime
        finally:
            await runtime.stop()

    return running
