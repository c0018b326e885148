"""A unit's inbox: what its staff must act on."""

from __future__ import annotations

import asyncpg
from fastapi import APIRouter, Depends

from services.dispatch.api.models import CaseSummary
from services.dispatch.context import DispatchContext
from services.dispatch.handlers import queries
from shared.http.pages import Page, PageRequest, paging
from shared.runtime.app import context_of, pool_of
from shared.scope import Scope, scoped

router = APIRouter(tags=["units"])


@router.get("/units/{unit_id}/cases", summary="A unit's inbox: its open cases and those escalated to it")
async def inbox(
    unit_id: str,
    page: PageRequest = Depends(paging(100)),
    scope: Scope = Depends(scoped("handler", "dispatcher")),
    pool: asyncpg.Pool = Depends(pool_of),
    context: DispatchContext = Depends(context_of),
) -> Page[CaseSummary]:
    scope.require_unit(unit_id)
    async with pool.acquire() as conn:
        items, total = await queries.inbox(
            conn, unit_id, context.clock.now(), limit=page.limit, offset=page.offset
        )
    return page.of(items, total)


@router.get("/me/units", summary="The units the caller works for (the `units` claim of a handler's token)")
async def my_units(scope: Scope = Depends(scoped("handler"))) -> list[str]:
    return sorted(scope.units)
