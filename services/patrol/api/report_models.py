"""What the reports API answers: a report with its public status (and its history), a category."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class Location(BaseModel):
    lat: float | None
    lon: float | None
    address: str | None


class Reporter(BaseModel):
    kind: str = Field(description="watcher, community_worker, resident, open311 or anonymous.")
    id: str | None = Field(description="Null for an anonymous report.")


class HistoryEntry(BaseModel):
    status: str
    note: str | None
    at: datetime
    event_type: str | None
    case_id: UUID | None


class ReportSummary(BaseModel):
    report_id: UUID
    kind: str = Field(description="hazard or need.")
    category: str
    description: str
    location: Location
    community_code: str
    street_code: str
    grid_code: str | None
    severity: str
    reporter: Reporter
    photo_urls: list[str]
    attributes: dict[str, Any] = Field(description="The category's own answers (e.g. cover_state).")
    reported_at: datetime
    status: str = Field(description="The status the reporter sees.")
    status_note: str | None
    updated_at: datetime
    unit_id: str | None = Field(description="The unit the case is routed to, once routed.")
    unit_name: str | None
    deadline: datetime | None
    deadline_local: str | None = Field(description="The deadline in district time, for people.")
    case_id: UUID | None = Field(description="The case the report is in, to verify the fix with dispatch.")


class Report(ReportSummary):
    history: list[HistoryEntry] = Field(description="Every status the report went through, in order.")


class Category(BaseModel):
    code: str
    group: str | None
    kind: str
    name_zh: str
    name_en: str
    keywords: list[str]
    default_severity: str
    attributes: list[dict[str, Any]] = Field(
        description="The questions the category asks (Open311 attributes)."
    )
