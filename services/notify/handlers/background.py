"""What runs beside the consumers in a notify process (the runtime's `background` hook): loading the units of
the reference bundle once per version, then the delivery worker until the service stops."""

from __future__ import annotations

from services.notify.handlers.awaiting import plan_awaiting_units
from services.notify.handlers.directory import load_units
from services.notify.handlers.unreachable import warn_of_unconfigured_channels
from services.notify.handlers.worker import DeliveryWorker
from shared.unit_of_work import unit_of_work


async def deliver(runtime) -> None:
    """Given the ServiceRuntime; cancelled when the service stops (a send cut short is retried after its lease)."""
    context, pool = runtime.context, runtime.pool
    await warn_of_unconfigured_channels(pool, context.channels)
    if context.settings.load_units_at_start:
        async with pool.acquire() as conn:
            await load_units(conn, context.bundle)
        async with unit_of_work(pool, runtime.definition.source, context) as uow:
            await plan_awaiting_units(uow)
    if not context.settings.delivery_worker_enabled:
        return
    worker = DeliveryWorker(
        pool,
        context,
        runtime.definition.source,
        deliveries=runtime.metrics.notify_deliveries,
        listen_pool=runtime.listen_pool,
    )
    context.wake_worker = worker.wake
    try:
        await worker.run()
    finally:
        await context.http.aclose()  # the channels' connections: only the worker sends
