"""Loading the reference bundle into the patrol schema: idempotent by bundle version, one transaction.

`ensure_reference` runs on first use (the category list, Open311's service list or a service definition) so a
fresh deployment needs no extra step; `load_reference_command` is the same thing for the command line. Reports and
the status projection read the bundle in memory (`bundle.locate` for grids, unit names), which is the same version.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from shared.db.pool import connect
from shared.reference import ReferenceBundle

_LOCK = "grassroots.patrol.reference"


async def ensure_reference(conn: asyncpg.Connection, bundle: ReferenceBundle, loaded: set[str]) -> None:
    """Load `bundle` unless this process already knows its version is in the schema.

    `conn` must not be inside a transaction: the load commits on its own before its version is remembered.
    """
    assert not conn.is_in_transaction(), "the reference load commits by itself"
    if bundle.manifest.version in loaded:
        return
    await load_reference(conn, bundle)
    loaded.add(bundle.manifest.version)


async def load_reference(conn: asyncpg.Connection, bundle: ReferenceBundle) -> bool:
    """Load the bundle unless its version is already loaded; True when this call loaded it."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", _LOCK)
        current = await conn.fetchval(
            "SELECT version FROM reference_loads WHERE bundle_name = $1", bundle.manifest.name
        )
        if current == bundle.manifest.version:
            return False
        await _replace(conn, bundle)
        await conn.execute(
            """INSERT INTO reference_loads (bundle_name, version) VALUES ($1, $2)
               ON CONFLICT (bundle_name) DO UPDATE SET version = excluded.version, loaded_at = now()""",
            bundle.manifest.name,
            bundle.manifest.version,
        )
        return True


async def _replace(conn: asyncpg.Connection, bundle: ReferenceBundle) -> None:
    await conn.execute("TRUNCATE streets, communities, grids")
    await conn.copy_records_to_table(
        "streets", records=[(s.code, s.name_zh, s.name_en) for s in bundle.streets]
    )
    await conn.copy_records_to_table(
        "communities",
        records=[(o.code, o.kind, o.street_code, o.name_zh, o.name_en) for o in bundle.organisations],
    )
    await conn.executemany(
        "INSERT INTO grids (grid_code, community_code, geometry) VALUES ($1, $2, $3)",
        [(g.grid_code, g.community_code, g.geometry) for g in bundle.grids],
    )
    # Categories are kept when they leave the catalogue: old reports still name them.
    await conn.execute("UPDATE categories SET active = false")
    await conn.executemany(
        """INSERT INTO categories (code, group_code, kind, name_zh, name_en, keywords, default_severity,
                                   attributes, position, active)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true)
           ON CONFLICT (code) DO UPDATE SET group_code = excluded.group_code, kind = excluded.kind,
               name_zh = excluded.name_zh, name_en = excluded.name_en, keywords = excluded.keywords,
               default_severity = excluded.default_severity, attributes = excluded.attributes,
               position = excluded.position, active = true""",
        [
            (
                c.code,
                c.group,
                c.kind,
                c.name_zh,
                c.name_en,
                c.keywords,
                c.default_severity,
                [a.model_dump() for a in c.attributes],
                position,
            )
            for position, c in enumerate(bundle.categories, start=1)
        ],
    )


async def load_reference_command(settings: Any, context: Any) -> dict[str, object]:
    """Load the reference bundle's categories and places (a no-op for a version already loaded)."""
    conn = await connect(settings.database_url, "patrol")
    try:
        loaded = await load_reference(conn, context.bundle)
    finally:
        await conn.close()
    return {"reference_loaded": loaded, "version": context.bundle.manifest.version}
