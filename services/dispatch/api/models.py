"""What the dispatch API answers: a case (on the board, in an inbox, in full), its timeline, the reference data."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from services.dispatch.domain.lifecycle import Status
from shared.reference import UnitKind


class CaseFields(BaseModel):
    case_id: UUID
    case_number: str = Field(description="The short number people read, e.g. DD-2026-000123.")
    primary_report_id: UUID = Field(description="The report that opened the case.")
    category: str
    severity: str
    status: Status
    unit_id: str = Field(description="The unit the case is routed to.")
    community_code: str
    street_code: str
    grid_code: str | None
    address: str | None
    deadline: datetime
    escalation_level: str = Field(description="unit, street or district.")
    escalated_to: str | None
    opened_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    remaining_seconds: int | None = Field(
        description="Until the deadline (negative when past); null once done."
    )
    overdue: bool


class CaseSummary(CaseFields):
    report_count: int = Field(description="Reports in the case, not withdrawn.")


class CaseReport(BaseModel):
    report_id: UUID
    category: str
    description: str
    reporter_kind: str
    reporter_id: str | None
    photo_urls: list[str]
    attributes: dict[str, Any] = Field(description="The category's own answers (Open311 attributes).")
    reported_at: datetime
    merged_by: str | None
    merged_at: datetime | None
    withdrawn_at: datetime | None


class CaseDetail(CaseFields):
    kind: str
    description: str
    lat: float | None
    lon: float | None
    routing_reason: str
    cycle: int
    escalate_at: datetime | None
    reported_at: datetime
    accepted_at: datetime | None
    resolved_by: str | None
    resolution_note: str | None
    resolution_photo_url: str | None
    resolved_in_time: bool | None
    merged_into: UUID | None
    updated_at: datetime
    correlation_id: UUID | None
    allowed_actions: list[str] = Field(description="What may be done to the case now.")
    reports: list[CaseReport]
    reporter_count: int = Field(description="Distinct reporters of the reports not withdrawn.")


class Transition(BaseModel):
    action: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None
    at: datetime


class GroupStatistics(BaseModel):
    key: str | None = Field(description="The community, street, category or unit.")
    cases: int
    open: int
    overdue: int
    resolved: int
    closed: int
    median_hours_to_resolve: float | None
    p90_hours_to_resolve: float | None
    closed_within_deadline: float | None = Field(description="Share of closed cases resolved in time.")
    reopen_rate: float | None


class Unit(BaseModel):
    id: str
    kind: UnitKind
    name_zh: str
    name_en: str
    street_code: str | None
    community_code: str | None
    active: bool
    routing_default: bool


class StoredRule(BaseModel):
    rule_id: int
    category: str
    scope: str
    scope_code: str | None
    unit_kind: str | None
    unit_id: str | None
    priority: int


class ReferenceChange(BaseModel):
    change_id: int
    entity: str = Field(description="bundle, unit, rule or member.")
    entity_id: str
    changed_by: str
    changed_at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None
