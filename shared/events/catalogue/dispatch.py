"""Events of the dispatch service's routing: who must fix a case, and by when."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from shared.events.catalogue.common import Severity, case_number_field
from shared.events.registry import EventData, event

EscalationLevel = Literal["unit", "street", "district"]


@event("dispatch.assigned", version=1, subject="case_id")
class DispatchAssigned(EventData):
    """A case was opened and routed to the unit responsible for it (立案, 派遣)."""

    case_id: UUID
    case_number: str | None = case_number_field()
    report_ids: list[UUID] = Field(min_length=1, description="The reports the case holds.")
    unit_id: str = Field(description="The responsible unit.", examples=["pm-tuanjie-01"])
    category: str = Field(examples=["fire.balcony-storage"])
    severity: Severity
    community_code: str = Field(examples=["WG-TJ"])
    street_code: str = Field(examples=["WG"])
    deadline: datetime = Field(description="When the unit must have resolved the case.")
    reason: str = Field(description="Why this unit: the routing rule that matched.")
    assigned_at: datetime


@event("dispatch.accepted", version=1, subject="case_id")
class DispatchAccepted(EventData):
    """The unit took the case on."""

    case_id: UUID
    case_number: str | None = case_number_field()
    unit_id: str
    accepted_by: str = Field(description="The handler's person id.")
    accepted_at: datetime


@event("dispatch.escalated", version=1, subject="case_id")
class DispatchEscalated(EventData):
    """A case passed its deadline and went one level up (unit → street office → district)."""

    case_id: UUID
    case_number: str | None = case_number_field()
    level: EscalationLevel = Field(description="The level the case is now escalated to.")
    escalated_to: str = Field(description="The unit that now answers for the case.")
    deadline: datetime = Field(description="The deadline that was missed.")
    escalated_at: datetime


@event("dispatch.returned", version=1, subject="case_id")
class DispatchReturned(EventData):
    """The unit sent the case back as not its responsibility; a dispatcher must re-route it."""

    case_id: UUID
    case_number: str | None = case_number_field()
    unit_id: str
    reason: str = Field(min_length=1, max_length=1000)
    returned_at: datetime


@event("dispatch.reassigned", version=1, subject="case_id")
class DispatchReassigned(EventData):
    """A dispatcher routed the case to another unit."""

    case_id: UUID
    case_number: str | None = case_number_field()
    from_unit_id: str
    to_unit_id: str
    deadline: datetime
    reason: str
    reassigned_by: str
    reassigned_at: datetime


@event("dispatch.cancelled", version=1, subject="case_id")
class DispatchCancelled(EventData):
    """Every report of the case was withdrawn before a unit accepted it: the unit need not act."""

    case_id: UUID
    case_number: str | None = case_number_field()
    unit_id: str = Field(description="The unit the case had been sent to.")
    reason: str = Field(max_length=500, description="The reporter's reason for withdrawing.")
    cancelled_at: datetime
