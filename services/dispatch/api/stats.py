"""Statistics by community, street, category or unit."""

from __future__ import annotations

from datetime import datetime

import asyncpg
from fastapi import APIRouter, Depends, Query

from services.dispatch.api.models import GroupStatistics
from services.dispatch.context import DispatchContext
from services.dispatch.handlers.statistics import GroupBy, statistics
from shared.runtime.app import context_of, pool_of
from shared.scope import Scope, scoped

router = APIRouter(tags=["statistics"])


@router.get(
    "/statistics",
    summary="Counts, median and 90th-percentile hours to resolve, share closed in time, reopen rate",
)
async def case_statistics(
    by: GroupBy = Query(description="community, street, category or unit"),
    opened_from: datetime | None = Query(None, description="Cases opened at or after (RFC 3339)."),
    opened_before: datetime | None = Query(None, description="Cases opened before (RFC 3339)."),
    scope: Scope = Depends(scoped("dispatcher")),
    pool: asyncpg.Pool = Depends(pool_of),
    context: DispatchContext = Depends(context_of),
) -> list[GroupStatistics]:
    async with pool.acquire() as conn:
        return await statistics(
            conn,
            by,
            context.clock.now(),
            opened_from=opened_from,
            opened_before=opened_before,
            communities=scope.narrow(None),
        )
