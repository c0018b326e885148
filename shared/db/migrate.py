"""Plain SQL migrations, per service, in order; recorded in the service's schema.

Safe to run twice (applied files are skipped) and concurrently (an advisory lock serialises runners).
An applied file whose text changed is an error: migrations are append-only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from shared.db.pool import connect

BACKBONE_DIR = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class Migration:
    version: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationError(RuntimeError):
    pass


def load_migrations(service_dir: Path) -> list[Migration]:
    """The backbone's migrations first, then the service's own, each folder in file-name order."""
    found = [Migration(f"backbone/{p.stem}", p.read_text()) for p in sorted(BACKBONE_DIR.glob("*.sql"))]
    found += [Migration(p.stem, p.read_text()) for p in sorted((service_dir / "migrations").glob("*.sql"))]
    return found


async def apply_migrations(dsn: str, schema: str, migrations: list[Migration]) -> list[str]:
    """Apply what is not yet applied; return the versions applied by this call."""
    conn = await connect(dsn, schema)
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"grassroots.migrate.{schema}")
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   version text PRIMARY KEY,
                   checksum text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        applied = dict(await conn.fetch("SELECT version, checksum FROM schema_migrations"))
        done: list[str] = []
        for migration in migrations:
            if migration.version in applied:
                if applied[migration.version] != migration.checksum:
                    raise MigrationError(
                        f"{schema}: migration {migration.version} changed after it was applied"
                    )
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)",
                    migration.version,
                    migration.checksum,
                )
            done.append(migration.version)
        return done
    finally:
        await conn.close()
