"""Open311 API keys: issued to a client once, kept only as their SHA-256, checked on every POST requests."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import asyncpg

from services.patrol.domain.open311 import Open311Error


def _hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


async def create_api_key(
    conn: asyncpg.Connection, client_name: str, created_by: str, now: datetime
) -> tuple[str, str]:
    """A new key for a client; only its hash is kept, so the key itself is shown once."""
    key_id = f"k-{secrets.token_hex(4)}"
    api_key = secrets.token_urlsafe(32)
    await conn.execute(
        """INSERT INTO open311_api_keys (key_id, client_name, key_sha256, created_by, created_at)
           VALUES ($1, $2, $3, $4, $5)""",
        key_id,
        client_name,
        _hash(api_key),
        created_by,
        now,
    )
    return key_id, api_key


async def revoke_api_key(conn: asyncpg.Connection, key_id: str, now: datetime) -> bool:
    status = await conn.execute(
        "UPDATE open311_api_keys SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL", key_id, now
    )
    return status.endswith(" 1")


async def key_id_of(conn: asyncpg.Connection, api_key: str | None) -> str:
    if not api_key:
        raise Open311Error(403, "api_key: an API key is required to submit a request")
    key_id = await conn.fetchval(
        "SELECT key_id FROM open311_api_keys WHERE key_sha256 = $1 AND revoked_at IS NULL", _hash(api_key)
    )
    if key_id is None:
        raise Open311Error(403, "api_key: this API key is not valid")
    return key_id
