"""Operator commands of the training service, beside the common run/migrate/asyncapi.

- `load-reference`: copy the reference bundle's streets and organisations into training's tables (the HTTP API
  also does it at start; loading a version twice changes nothing).
- `load-sample`: load the SAMPLE figures of the source article (handlers/sample.py); loading twice changes nothing.
"""

from __future__ import annotations

import asyncio
import json

from services.training.handlers.reference import load_reference
from services.training.handlers.sample import load_sample
from shared.db.pool import create_pool
from shared.logging import configure_logging
from shared.runtime.cli import settings_for
from shared.runtime.definition import ServiceDefinition
from shared.unit_of_work import unit_of_work

TOOLS = ("load-reference", "load-sample")


async def _run(definition: ServiceDefinition, tool: str) -> dict:
    settings = settings_for(definition)
    context = definition.context_factory(settings)
    pool = await create_pool(settings.database_url, definition.name, min_size=1, max_size=2)
    try:
        async with unit_of_work(pool, definition.source, context) as uow:
            loaded = await load_reference(uow, context.bundle)
        if tool == "load-reference":
            return {"reference_loaded": loaded, "version": context.bundle.manifest.version}
        async with unit_of_work(pool, definition.source, context) as uow:
            return {"sample_loaded": await load_sample(uow) or "already loaded"}
    finally:
        await pool.close()


def run_tool(definition: ServiceDefinition, tool: str) -> int:
    settings = settings_for(definition)
    configure_logging(definition.name, log_format=settings.log_format, level=settings.log_level)
    print(json.dumps(asyncio.run(_run(definition, tool)), ensure_ascii=False))
    return 0
