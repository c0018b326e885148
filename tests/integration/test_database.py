"""Each service owns its schema: its role is refused elsewhere, and its migrations apply once, in order."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from shared.db.migrate import Migration, MigrationError, apply_migrations
from shared.db.provision import provision
from shared.db.url import with_user


async def test_a_service_role_is_refused_on_another_services_schema(infra):
    patrol = await asyncpg.connect(infra.database_url("patrol"))
    try:
        assert await patrol.fetchval("SELECT current_schema()") == "patrol", (
            "its own schema is on its search path"
        )
        await patrol.execute("SELECT 1 FROM outbox LIMIT 1")  # its own tables answer; a refusal would raise
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="dispatch"):
            await patrol.fetch("SELECT * FROM dispatch.outbox")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await patrol.execute(
                "INSERT INTO dispatch.inbox (source, event_id, event_type, correlation_id) "
                "VALUES ('x', gen_random_uuid(), 'x', gen_random_uuid())"
            )
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await patrol.execute("CREATE TABLE dispatch.sneaky (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await patrol.execute("CREATE TABLE public.sneaky (id int)")
    finally:
        await patrol.close()


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT lo_create(0)",
        "SELECT lo_creat(-1)",
        "SELECT lo_from_bytea(0, '\\x00'::bytea)",
        "SELECT lo_open(1, 262144)",
        "SELECT lo_unlink(1)",
    ],
)
async def test_a_service_role_may_not_make_or_touch_large_objects(infra, statement):
    patrol = await asyncpg.connect(infra.database_url("patrol"))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied for function lo"):
            await patrol.fetchval(statement)
        assert await patrol.fetchval("SELECT count(*) FROM pg_largeobject_metadata") == 0
    finally:
        await patrol.close()


async def test_provisioning_twice_changes_nothing(infra):
    await provision(infra.admin_url, infra.database, {"patrol": "patrol"})
    patrol = await asyncpg.connect(infra.database_url("patrol"))
    try:
        assert await patrol.fetchval("SELECT current_setting('search_path')") == "patrol"
        assert await patrol.fetchval("SELECT count(*) FROM schema_migrations") >= 1
    finally:
        await patrol.close()


async def test_the_monitoring_role_reads_the_statistics_and_no_service_data(infra):
    await provision(infra.admin_url, infra.database, {"patrol": "patrol"}, monitoring_password="monitoring")
    monitoring = await asyncpg.connect(with_user(infra.database_url("patrol"), "monitoring", "monitoring"))
    try:
        assert (
            await monitoring.fetchval(
                "SELECT count(*) FROM pg_stat_database WHERE datname = current_database()"
            )
            == 1
        )
        assert (
            await monitoring.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE query <> '<insufficient privilege>'"
            )
            >= 1
        )
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="patrol"):
            await monitoring.fetch("SELECT * FROM patrol.outbox")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await monitoring.execute("CREATE TABLE public.sneaky (id int)")
    finally:
        await monitoring.close()


@pytest.fixture
async def scratch_schema(infra, admin_db):
    """A schema of the probe consumer's role that a test may fill and throw away."""
    name = f"scratch_{uuid.uuid4().hex[:8]}"
    await admin_db.execute(f'CREATE SCHEMA "{name}" AUTHORIZATION probe_consumer')
    yield name
    await admin_db.execute(f'DROP SCHEMA "{name}" CASCADE')


MIGRATIONS = [
    Migration("0001_first", "CREATE TABLE things (id int PRIMARY KEY);"),
    Migration("0002_second", "ALTER TABLE things ADD COLUMN name text; SELECT pg_sleep(0.2);"),
]


async def test_migrations_run_concurrently_apply_each_file_exactly_once(infra, scratch_schema, admin_db):
    url = infra.database_url("probe_consumer")
    results = await asyncio.gather(*(apply_migrations(url, scratch_schema, MIGRATIONS) for _ in range(4)))
    assert sorted(results, key=len) == [[], [], [], ["0001_first", "0002_second"]]
    assert await apply_migrations(url, scratch_schema, MIGRATIONS) == []
    columns = await admin_db.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'things'",
        scratch_schema,
    )
    assert {row["column_name"] for row in columns} == {"id", "name"}


async def test_a_migration_changed_after_it_was_applied_is_refused(infra, scratch_schema):
    url = infra.database_url("probe_consumer")
    await apply_migrations(url, scratch_schema, MIGRATIONS[:1])
    edited = [Migration("0001_first", "CREATE TABLE things (id bigint PRIMARY KEY);")]
    with pytest.raises(MigrationError, match="0001_first changed"):
        await apply_migrations(url, scratch_schema, edited)


async def test_a_failing_migration_leaves_nothing_half_applied(infra, scratch_schema, admin_db):
    url = infra.database_url("probe_consumer")
    broken = [
        *MIGRATIONS[:1],
        Migration("0002_broken", "CREATE TABLE more (id int); SELECT no_such_function();"),
    ]
    with pytest.raises(asyncpg.UndefinedFunctionError):
        await apply_migrations(url, scratch_schema, broken)
    tables = await admin_db.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", scratch_schema)
    assert {row["tablename"] for row in tables} == {"things", "schema_migrations"}
    versions = await admin_db.fetch(f'SELECT version FROM "{scratch_schema}".schema_migrations')
    assert [row["version"] for row in versions] == ["0001_first"]
