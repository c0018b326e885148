"""Reading a service's tables from a test, as the administrator."""

from __future__ import annotations

import asyncpg


async def count(conn: asyncpg.Connection, table: str, where: str = "TRUE", *args: object) -> int:
    return int(await conn.fetchval(f"SELECT count(*) FROM {table} WHERE {where}", *args))
