"""Operator commands of the training service, beside the common run/migrate/asyncapi."""

from __future__ import annotations

from typing import Any

from services.training.handlers.reference import load_reference
from services.training.handlers.sample import load_sample
from shared.db.pool import create_pool
from shared.unit_of_work import unit_of_work

SOURCE = "/services/training"


async def load_reference_command(settings: Any, context: Any) -> dict[str, object]:
    """Copy the reference bundle's streets and organisations into training's tables (a no-op when loaded)."""
    pool = await create_pool(settings.database_url, "training", min_size=1, max_size=2)
    try:
        async with unit_of_work(pool, SOURCE, context) as uow:
            loaded = await load_reference(uow, context.bundle)
    finally:
        await pool.close()
    return {"reference_loaded": loaded, "version": context.bundle.manifest.version}


async def load_sample_command(settings: Any, context: Any) -> dict[str, object]:
    """Load the SAMPLE figures of the source article (loading twice changes nothing)."""
    await load_reference_command(settings, context)
    pool = await create_pool(settings.database_url, "training", min_size=1, max_size=2)
    try:
        async with unit_of_work(pool, SOURCE, context) as uow:
            return {"sample_loaded": await load_sample(uow) or "already loaded"}
    finally:
        await pool.close()
