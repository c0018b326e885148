"""Case events the pages show live: each is only passed on to the open pages of this process."""

from __future__ import annotations

from typing import Any

from services.console.adapters.broadcaster import CaseChange
from shared.events.envelope import Event
from shared.unit_of_work import UnitOfWork


async def pass_on(uow: UnitOfWork, event: Event[Any]) -> None:
    data = event.data
    uow.context.broadcaster.publish(
        CaseChange(
            event_type=event.envelope.type,
            case_id=str(data.case_id),
            community_code=getattr(data, "community_code", None),
            unit_id=getattr(data, "unit_id", None) or getattr(data, "to_unit_id", None),
        )
    )
