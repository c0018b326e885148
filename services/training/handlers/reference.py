"""The district's streets and organisations, copied from the reference bundle into training's own tables.

Loading is idempotent: a bundle version already loaded changes nothing; a new version upserts streets and
organisations in one transaction (secretaries already in post stay in post).
"""

from __future__ import annotations

import asyncpg

from shared.logging import get_logger
from shared.reference import ReferenceBundle
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def load_reference(uow: UnitOfWork, bundle: ReferenceBundle) -> bool:
    """Load the bundle unless this version is loaded already; True when something was loaded."""
    conn: asyncpg.Connection = uow.conn
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('training.reference'))")
    version = bundle.manifest.version
    if await conn.fetchval("SELECT true FROM reference_versions WHERE version = $1", version):
        return False
    await conn.executemany(
        """INSERT INTO streets (code, name_zh, name_en) VALUES ($1, $2, $3)
           ON CONFLICT (code) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en""",
        [(s.code, s.name_zh, s.name_en) for s in bundle.streets],
    )
    await conn.executemany(
        """INSERT INTO organisations (code, kind, street_code, name_zh, name_en) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (code) DO UPDATE SET kind = EXCLUDED.kind, street_code = EXCLUDED.street_code,
               name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en""",
        [(o.code, o.kind, o.street_code, o.name_zh, o.name_en) for o in bundle.organisations],
    )
    await conn.execute(
        "INSERT INTO reference_versions (version, loaded_at) VALUES ($1, $2)",
        version,
        uow.context.clock.now(),
    )
    log.info(
        "reference bundle loaded",
        version=version,
        streets=len(bundle.streets),
        organisations=len(bundle.organisations),
    )
    return True
