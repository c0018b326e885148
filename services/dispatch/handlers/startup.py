"""What the dispatch service does in the background once it runs: load the reference data, then sweep."""

from __future__ import annotations

from services.dispatch.context import DispatchContext
from services.dispatch.handlers.reference import load_reference
from shared.logging import get_logger

log = get_logger(__name__)


async def load_reference_at_start(runtime) -> None:
    """Load the bundle's units and rules (a no-op when that version is loaded); reports wait for it."""
    context: DispatchContext = runtime.context
    if not context.settings.load_reference_on_start:
        return
    try:
        async with context.routing.changing(), runtime.pool.acquire() as conn:
            loaded = await load_reference(conn, context.bundle, at=context.clock.now())
        log.info("reference data", version=context.bundle.manifest.version, loaded=loaded)
    except Exception:
        log.exception("loading the reference data failed; reports cannot be routed until it is loaded")
