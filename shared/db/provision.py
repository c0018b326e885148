"""Create the database, and for each service a login role and a schema that only that role can use.

Run with an administrator's URL. Idempotent: run it on every deployment.
"""

from __future__ import annotations

import asyncpg

from shared.db.url import with_database

# Large objects live outside every schema, in one table of the whole database, and any role may make them: a
# service role could fill the disk where its schema's privileges do not reach. No service uses them, so every
# server-side large-object function is taken from PUBLIC (lo_import/lo_export already are, by PostgreSQL).
_REVOKE_LARGE_OBJECTS = """
DO $$
DECLARE function regprocedure;
BEGIN
    FOR function IN
        SELECT p.oid::regprocedure FROM pg_proc p
         WHERE p.pronamespace = 'pg_catalog'::regnamespace
           AND (p.proname LIKE 'lo\\_%' OR p.proname IN ('loread', 'lowrite'))
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', function);
    END LOOP;
END
$$
"""


async def _create_database(admin_url: str, database: str) -> None:
    conn = await asyncpg.connect(with_database(admin_url, "postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            try:
                await conn.execute(f'CREATE DATABASE "{database}"')
            except asyncpg.DuplicateDatabaseError:
                pass
    finally:
        await conn.close()


async def _create_role(conn: asyncpg.Connection, role: str, password: str) -> None:
    statement = await conn.fetchval(
        "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', $1::text, $2::text)", role, password
    )
    try:
        await conn.execute(statement)
    except (asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
        pass
    # A service role owns nothing outside its schema and can create nothing elsewhere.
    alter = await conn.fetchval(
        "SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', $1::text, $2::text)",
        role,
        password,
    )
    await conn.execute(alter)


MONITORING_ROLE = "monitoring"


async def provision(
    admin_url: str, database: str, roles: dict[str, str], *, monitoring_password: str | None = None
) -> None:
    """`roles` maps each service name (its role and its schema) to the role's password. With a
    `monitoring_password`, a `monitoring` role for the metrics exporter too: PostgreSQL's statistics views
    (`pg_monitor`) and no schema, no table of any service."""
    await _create_database(admin_url, database)
    # Roles belong to the whole cluster while advisory locks belong to one database: provisioners of different
    # databases (parallel test runs) serialise on a lock taken in the maintenance database.
    cluster_lock = await asyncpg.connect(with_database(admin_url, "postgres"))
    conn = await asyncpg.connect(with_database(admin_url, database))
    try:
        await cluster_lock.execute("SELECT pg_advisory_lock(hashtext('grassroots.provision'))")
        await conn.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
        await conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        await conn.execute(_REVOKE_LARGE_OBJECTS)
        for role, password in roles.items():
            await _create_role(conn, role, password)
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{role}" AUTHORIZATION "{role}"')
            await conn.execute(f'REVOKE ALL ON SCHEMA "{role}" FROM PUBLIC')
            await conn.execute(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO "{role}"')
            await conn.execute(f'ALTER ROLE "{role}" IN DATABASE "{database}" SET search_path = "{role}"')
        if monitoring_password is not None:
            await _create_role(conn, MONITORING_ROLE, monitoring_password)
            await conn.execute(f'GRANT pg_monitor TO "{MONITORING_ROLE}"')
            await conn.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{MONITORING_ROLE}"')
    finally:
        await conn.close()
        await cluster_lock.close()


async def drop_database(admin_url: str, database: str) -> None:
    conn = await asyncpg.connect(with_database(admin_url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()
