"""Rules CRUD: the admin API's commands over the `rules` table."""

from __future__ import annotations

from services.notify.domain.rules import Rule
from shared.unit_of_work import UnitOfWork

_FIELDS = [name for name in Rule.__dataclass_fields__ if name != "rule_id"]


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
    """Create or replace; True when it was created."""
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
    return await uow.conn.fetchval("DELETE FROM rules WHERE rule_id = $1 RETURNING true", rule_id) is not None
