"""One asyncpg pool per service, confined to the service's own schema."""

from __future__ import annotations

import json

import asyncpg


class PooledConnection(asyncpg.Connection):
    """A pooled connection that skips asyncpg's reset query on release (one round trip per unit of work).

    Released connections still have an open transaction rolled back and their listener callbacks removed
    (asyncpg does that regardless). What the skipped query would undo never happens here: services take
    transaction-scoped advisory locks only, set nothing for the session, keep no cursor past a transaction,
    and the relay's listener UNLISTENs before it returns its connection.
    """

    def get_reset_query(self) -> str:
        return ""


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def connect(dsn: str, schema: str) -> asyncpg.Connection:
    """A single connection (for migrations, tools and the relay's listener)."""
    conn = await asyncpg.connect(dsn, server_settings={"search_path": schema, "application_name": schema})
    await _init_connection(conn)
    return conn


async def create_pool(
    dsn: str,
    schema: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    server_settings: dict[str, str] | None = None,
    statement_cache_size: int = 100,
) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        statement_cache_size=statement_cache_size,
        init=_init_connection,
        connection_class=PooledConnection,
        server_settings={"search_path": schema, "application_name": schema, **(server_settings or {})},
    )
    assert pool is not None
    return pool
