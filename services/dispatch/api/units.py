"""A unit's inbox: what its staff must act on."""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi import APIRouter, Depends

from services.dispatch.api.errors import answered
from services.dispatch.context import DispatchContext
from services.dispatch.handlers import queries
from services.dispatch.handlers.access import ensure_member, units_of
from shared.auth import Principal, require
from shared.runtime.app import context_of, pool_of

router = APIRouter(tags=["units"])


@router.get("/units/{unit_id}/cases", summary="A unit's inbox: its open cases and those escalated to it")
async def inbox(
    unit_id: str,
    principal: Principal = Depends(require("handler", "dispatcher")),
    pool: asyncpg.Pool = Depends(pool_of),
    context: DispatchContext = Depends(context_of),
) -> list[dict[str, Any]]:
    with answered():
        async with pool.acquire() as conn:
            if "dispatcher" not in principal.roles:
                await ensure_member(conn, principal, unit_id)
            return await queries.inbox(conn, unit_id, context.clock.now())


@router.get("/me/units", summary="The units the caller works for (a handler's token names a person)")
async def my_units(
    principal: Principal = Depends(require("handler")), pool: asyncpg.Pool = Depends(pool_of)
) -> list[str]:
    async with pool.acquire() as conn:
        return await units_of(conn, principal.subject)
