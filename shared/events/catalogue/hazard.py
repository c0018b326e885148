"""Events of the patrol service's reports (随手拍): a hazard or a resident's need."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from shared.events.catalogue.common import Location, PersonRef, Severity, case_number_field
from shared.events.registry import EventData, event


@event("hazard.reported", version=1, subject="report_id")
class HazardReported(EventData):
    """A watcher, community worker or resident reported a hazard or a need; dispatch opens a case from it."""

    report_id: UUID = Field(description="The report's id in patrol.")
    kind: Literal["hazard", "need"] = Field(description="A hazard, or a resident's need found on a visit.")
    category: str = Field(
        description="Code from the hazard category catalogue.", examples=["fire.balcony-storage"]
    )
    description: str = Field(
        max_length=4000,
        description="What the reporter saw; up to 4,000 characters (Open311 GeoReport v2 allows that many).",
        examples=["阳台堆放大量纸箱，存在火灾隐患"],
    )
    location: Location
    community_code: str = Field(
        description="The community or village the report falls in.", examples=["WG-TJ"]
    )
    street_code: str = Field(description="The street (街道) of that community.", examples=["WG"])
    grid_code: str | None = Field(None, description="The grid cell, when the location resolved to one.")
    severity: Severity = Field(examples=["high"])
    reporter: PersonRef
    photo_urls: list[str] = Field(default_factory=list, max_length=9, description="Up to 9 photo URLs.")
    reported_at: datetime = Field(description="When the reporter made the report (RFC 3339, with zone).")
    attributes: dict[str, str] = Field(
        default_factory=dict,
        description="Answers to the category's own questions (Open311 attributes), by attribute code; added "
        "within version 1, so older events carry none.",
        examples=[{"cover_state": "cracked"}],
    )


@event("hazard.withdrawn", version=1, subject="report_id")
class HazardWithdrawn(EventData):
    """The reporter withdrew a report before it was dispatched."""

    report_id: UUID
    reason: str = Field(max_length=500, examples=["已自行清理"])
    withdrawn_at: datetime


@event("hazard.merged", version=1, subject="report_id")
class HazardMerged(EventData):
    """A report was found to describe an open case and was merged into it."""

    report_id: UUID = Field(description="The report that was merged.")
    case_id: UUID = Field(description="The case it joined.")
    case_number: str | None = case_number_field()
    primary_report_id: UUID = Field(description="The report that opened that case.")
    reporter: PersonRef
    merged_by: Literal["automatic", "dispatcher"] = "automatic"
    merged_at: datetime
