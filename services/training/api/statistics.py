"""The district's training figures."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from services.training.api.common import ANYONE, Gate, GateDep
from services.training.handlers.statistics import statistics
from shared.auth import require

router = APIRouter(tags=["statistics"])


@router.get(
    "/statistics",
    summary="Secretaries trained and hours per street, sessions by kind, reserve ratio, mentoring, the Cup",
)
async def get_statistics(g: Gate = GateDep, _=Depends(require(*ANYONE))) -> dict:
    async with g.query() as conn:
        return await statistics(
            conn, g.context.clock.now(), g.context.settings.reserve_target_per_organisation
        )
