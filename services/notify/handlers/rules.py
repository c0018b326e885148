"""Rules: the admin API's commands over the `rules` table, and the cache every event reads them through."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from services.notify.domain.rules import Rule
from shared.cache import ReadThroughCache
from shared.unit_of_work import UnitOfWork, unit_of_work

_FIELDS = [name for name in Rule.__dataclass_fields__ if name != "rule_id"]


RulesCache = ReadThroughCache[str, tuple[Rule, ...]]


async def enabled_rules(cache: RulesCache, conn: asyncpg.Connection, event_type: str) -> tuple[Rule, ...]:
    """The enabled rules of an event type, from memory. This process's own edits clear the cache once committed
    (`editing_rules`); another replica's edits are seen within `RULES_CACHE_SECONDS`."""

    async def read() -> tuple[Rule, ...]:
        rows = await conn.fetch(
            "SELECT * FROM rules WHERE event_type = $1 AND enabled ORDER BY rule_id", event_type
        )
        return tuple(Rule.from_row(row) for row in rows)

    return await cache.get(event_type, read)


@contextlib.asynccontextmanager
async def editing_rules(pool: asyncpg.Pool, source: str, context) -> AsyncIterator[UnitOfWork]:
    """The unit of work of a change to `rules`: this process's cache is cleared after the commit (cleared only
    before it, an event handled in between would put the old rules back for a whole TTL)."""
    async with context.rules.changing(), unit_of_work(pool, source, context) as uow:
        yield uow


async def list_rules(conn, event_type: str | None = None) -> list[Rule]:
    rows = await conn.fetch(
        "SELECT * FROM rules WHERE $1::text IS NULL OR event_type = $1 ORDER BY event_type, rule_id",
        event_type,
    )
    return [Rule.from_row(row) for row in rows]


async def get_rule(conn, rule_id: str) -> Rule | None:
    row = await conn.fetchrow("SELECT * FROM rules WHERE rule_id = $1", rule_id)
    return Rule.from_row(row) if row else None


async def save_rule(uow: UnitOfWork, rule: Rule) -> bool:
    """Create or replace; True when it was created. Run it in `editing_rules`."""
    columns = ", ".join(_FIELDS)
    placeholders = ", ".join(f"${i}" for i in range(2, len(_FIELDS) + 2))
    updates = ", ".join(f"{name} = excluded.{name}" for name in _FIELDS)
    return await uow.conn.fetchval(
        f"""
        INSERT INTO rules (rule_id, {columns}) VALUES ($1, {placeholders})
        ON CONFLICT (rule_id) DO UPDATE SET {updates}, updated_at = now()
        RETURNING (xmax = 0)
        """,
        rule.rule_id,
        *(getattr(rule, name) for name in _FIELDS),
    )


async def delete_rule(uow: UnitOfWork, rule_id: str) -> bool:
    """Run it in `editing_rules`."""
    return await uow.conn.fetchval("DELETE FROM rules WHERE rule_id = $1 RETURNING true", rule_id) is not None
