"""Units and routing rules: loaded from the reference bundle, edited by admins, every change audited.

Routing keeps them in memory (`handlers/routing_cache.py`): a change to units or rules runs in
`changing_reference()`, so that it takes effect at once.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import asyncpg

from services.dispatch.domain.errors import CaseNotFound, InvalidInput
from shared.db.pool import connect
from shared.reference import ReferenceBundle, RoutingRule

UNIT_FIELDS = (
    "id",
    "kind",
    "name_zh",
    "name_en",
    "street_code",
    "community_code",
    "active",
    "routing_default",
)
RULE_FIELDS = ("category", "scope", "scope_code", "unit_kind", "unit_id", "priority")


@contextlib.asynccontextmanager
async def changing_reference(pool: asyncpg.Pool, context: Any) -> AsyncIterator[asyncpg.Connection]:
    """A transaction that changes units or rules; routing's copy in memory is cleared once it has ended."""
    async with context.routing.changing(), pool.acquire() as conn, conn.transaction():
        yield conn


def _jsonable(row: asyncpg.Record | dict | None) -> dict[str, Any] | None:
    return None if row is None else json.loads(json.dumps(dict(row), default=str))


async def record_change(
    conn: asyncpg.Connection, entity: str, entity_id: str, by: str, at: datetime, before: Any, after: Any
) -> None:
    await conn.execute(
        """INSERT INTO reference_changes (entity, entity_id, changed_by, changed_at, before, after)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        entity,
        entity_id,
        by,
        at,
        _jsonable(before),
        _jsonable(after),
    )


async def load_reference(conn: asyncpg.Connection, bundle: ReferenceBundle, *, at: datetime) -> bool:
    """Load the bundle's units and rules; False when this bundle version is already loaded.

    A new version replaces the rules and updates the units in one transaction (units it no longer lists are
    deactivated, not deleted: old cases still name them). Safe to run from several replicas at once.
    """
    manifest = bundle.manifest
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('dispatch.reference', 0))")
        current = await conn.fetchrow("SELECT bundle_name, version FROM reference_version")
        if current is not None and tuple(current) == (manifest.name, manifest.version):
            return False
        # the units the bundle no longer lists first, so that its routing defaults take their places
        await conn.execute(
            "UPDATE units SET active = false WHERE id <> ALL($1::text[])", [u.id for u in bundle.units]
        )
        await conn.executemany(
            """INSERT INTO units (id, kind, name_zh, name_en, street_code, community_code, active, routing_default)
               VALUES ($1, $2, $3, $4, $5, $6, true, $7)
               ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, name_zh = EXCLUDED.name_zh,
                   name_en = EXCLUDED.name_en, street_code = EXCLUDED.street_code,
                   community_code = EXCLUDED.community_code, active = true,
                   routing_default = EXCLUDED.routing_default""",
            [
                (u.id, u.kind, u.name_zh, u.name_en, u.street_code, u.community_code, u.routing_default)
                for u in bundle.units
            ],
        )
        await conn.execute("DELETE FROM routing_rules")
        await conn.executemany(
            f"INSERT INTO routing_rules ({', '.join(RULE_FIELDS)}) VALUES ($1, $2, $3, $4, $5, $6)",
            [tuple(getattr(rule, name) for name in RULE_FIELDS) for rule in bundle.routing],
        )
        await conn.execute(
            """INSERT INTO reference_version (bundle_name, version, loaded_at) VALUES ($1, $2, $3)
               ON CONFLICT (singleton) DO UPDATE SET bundle_name = $1, version = $2, loaded_at = $3""",
            manifest.name,
            manifest.version,
            at,
        )
        after = {
            "bundle": manifest.name,
            "version": manifest.version,
            "units": len(bundle.units),
            "rules": len(bundle.routing),
        }
        await record_change(conn, "bundle", manifest.version, "bundle", at, current, after)
    return True


async def save_unit(conn: asyncpg.Connection, unit: dict[str, Any], *, by: str, at: datetime) -> dict:
    before = await conn.fetchrow("SELECT * FROM units WHERE id = $1 FOR UPDATE", unit["id"])
    try:
        async with conn.transaction():
            after = await conn.fetchrow(
                f"""INSERT INTO units ({", ".join(UNIT_FIELDS)}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    ON CONFLICT (id) DO UPDATE SET kind = $2, name_zh = $3, name_en = $4, street_code = $5,
                        community_code = $6, active = $7, routing_default = $8 RETURNING *""",
                *(unit[name] for name in UNIT_FIELDS),
            )
    except asyncpg.UniqueViolationError:
        raise InvalidInput(
            "routing_default", "another active unit of this kind and place is already the routing default"
        ) from None
    await record_change(conn, "unit", unit["id"], by, at, before, after)
    return dict(after)


async def _check_rule(conn: asyncpg.Connection, rule: RoutingRule) -> None:
    if rule.unit_id is not None and not await conn.fetchval(
        "SELECT true FROM units WHERE id = $1", rule.unit_id
    ):
        raise InvalidInput("unit_id", f"no unit {rule.unit_id}")


async def create_rule(conn: asyncpg.Connection, rule: RoutingRule, *, by: str, at: datetime) -> dict:
    await _check_rule(conn, rule)
    after = await conn.fetchrow(
        f"INSERT INTO routing_rules ({', '.join(RULE_FIELDS)}) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
        *(getattr(rule, name) for name in RULE_FIELDS),
    )
    await record_change(conn, "rule", str(after["rule_id"]), by, at, None, after)
    return dict(after)


async def update_rule(
    conn: asyncpg.Connection, rule_id: int, rule: RoutingRule, *, by: str, at: datetime
) -> dict:
    before = await conn.fetchrow("SELECT * FROM routing_rules WHERE rule_id = $1 FOR UPDATE", rule_id)
    if before is None:
        raise CaseNotFound("routing rule", rule_id)
    await _check_rule(conn, rule)
    after = await conn.fetchrow(
        """UPDATE routing_rules SET category = $2, scope = $3, scope_code = $4, unit_kind = $5, unit_id = $6,
               priority = $7 WHERE rule_id = $1 RETURNING *""",
        rule_id,
        *(getattr(rule, name) for name in RULE_FIELDS),
    )
    await record_change(conn, "rule", str(rule_id), by, at, before, after)
    return dict(after)


async def delete_rule(conn: asyncpg.Connection, rule_id: int, *, by: str, at: datetime) -> None:
    before = await conn.fetchrow("DELETE FROM routing_rules WHERE rule_id = $1 RETURNING *", rule_id)
    if before is None:
        raise CaseNotFound("routing rule", rule_id)
    await record_change(conn, "rule", str(rule_id), by, at, before, None)


async def set_member(
    conn: asyncpg.Connection, unit_id: str, person_id: str, member: bool, *, by: str, at: datetime
) -> None:
    if not await conn.fetchval("SELECT true FROM units WHERE id = $1", unit_id):
        raise CaseNotFound("unit", unit_id)
    entry = {"unit_id": unit_id, "person_id": person_id}
    if member:
        added = await conn.fetchval(
            "INSERT INTO unit_members (unit_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING true",
            unit_id,
            person_id,
        )
        if added:
            await record_change(conn, "member", f"{unit_id}/{person_id}", by, at, None, entry)
        return
    removed = await conn.fetchval(
        "DELETE FROM unit_members WHERE unit_id = $1 AND person_id = $2 RETURNING true", unit_id, person_id
    )
    if removed:
        await record_change(conn, "member", f"{unit_id}/{person_id}", by, at, entry, None)


async def load_reference_command(settings: Any, context: Any) -> dict[str, object]:
    """Load the reference bundle's units and routing rules (a no-op for a version already loaded)."""
    conn = await connect(settings.database_url, "dispatch")
    try:
        loaded = await load_reference(conn, context.bundle, at=context.clock.now())
    finally:
        await conn.close()
    return {"reference_loaded": loaded, "version": context.bundle.manifest.version}
