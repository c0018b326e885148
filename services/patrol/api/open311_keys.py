"""API keys for Open311 clients: an administrator issues and revokes them; only their hashes are stored."""

from __future__ import annotations

import asyncpg
from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from services.patrol.context import PatrolContext
from services.patrol.handlers import reports_open311_keys as handlers
from shared.auth import Principal, require
from shared.errors import NotFound
from shared.runtime.app import context_of, pool_of

router = APIRouter(prefix="/open311/keys", tags=["open311"])


class NewKey(BaseModel):
    client_name: str = Field(min_length=1, max_length=200, examples=["盛京通 app"])


class IssuedKey(BaseModel):
    key_id: str
    client_name: str
    api_key: str = Field(description="Shown this once: only its hash is kept.")


@router.post("", status_code=status.HTTP_201_CREATED, summary="Issue an Open311 API key to a client")
async def create_key(
    body: NewKey,
    principal: Principal = Depends(require("admin")),
    pool: asyncpg.Pool = Depends(pool_of),
    context: PatrolContext = Depends(context_of),
) -> IssuedKey:
    async with pool.acquire() as conn:
        key_id, api_key = await handlers.create_api_key(
            conn, body.client_name, principal.subject, context.clock.now()
        )
    return IssuedKey(key_id=key_id, client_name=body.client_name, api_key=api_key)


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke an Open311 API key")
async def revoke_key(
    key_id: str,
    _: Principal = Depends(require("admin")),
    pool: asyncpg.Pool = Depends(pool_of),
    context: PatrolContext = Depends(context_of),
) -> None:
    async with pool.acquire() as conn:
        if not await handlers.revoke_api_key(conn, key_id, context.clock.now()):
            raise NotFound("key_id", f"no active key {key_id}")
