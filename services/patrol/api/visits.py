"""Door-knocking visits (敲门行动) and caring follow-ups (暖心行动): households, visits, and a quarter's coverage.

Community workers and volunteer watchers of a community record visits to its households; each need found becomes
a report (and a case). What a token covers is the one scope rule (`shared/scope.py`): a household of a community
the caller does not cover answers 404, and a token without a place claim covers no household.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from services.patrol.domain.visits import (
    MAX_NEEDS_PER_VISIT,
    VISITING_ROLES,
    FollowUp,
    NeedFound,
    VisitDraft,
    VisitRejected,
    parse_quarter,
)
from services.patrol.handlers import visits
from shared.clock import DISTRICT_TIMEZONE
from shared.errors import Invalid
from shared.http.contract import answers
from shared.runtime.app import ServiceHandle, service_of
from shared.scope import Scope, scoped

router = APIRouter(tags=["door-knocking visits"])
_VISITORS = scoped(*VISITING_ROLES, "dispatcher")


class NewHousehold(BaseModel):
    community_code: str = Field(min_length=1, max_length=50, examples=["WG-TJ"])
    address_label: str = Field(
        min_length=1,
        max_length=200,
        description="Building, unit and door, as the community keeps it.",
        examples=["7号楼2单元301"],
    )


class Household(BaseModel):
    household_id: str
    community_code: str
    street_code: str
    address_label: str
    registered_by: str
    registered_at: datetime
    last_visited_at: datetime | None = None
    open_needs: int = 0


class HouseholdPage(BaseModel):
    items: list[Household]
    total: int
    limit: int
    offset: int


class NeedIn(BaseModel):
    category: str = Field(min_length=1, max_length=100, examples=["need.elderly-care"])
    description: str = Field(min_length=1, max_length=4000, examples=["独居老人，需要每周送餐"])
    severity: Literal["low", "normal", "high", "urgent"] | None = None


class FollowUpIn(BaseModel):
    report_id: uuid.UUID
    outcome: Literal["in_progress", "met"]
    note: str = Field("", max_length=1000)


class NewVisit(BaseModel):
    kind: Literal["door_knocking", "caring_followup"] = "door_knocking"
    answered: bool = Field(description="Someone was at home and talked with the visitor.")
    visited_at: datetime | None = Field(None, description="When; default now. Not in the future.")
    notes: str = Field("", max_length=2000)
    needs: list[NeedIn] = Field(default_factory=list, max_length=MAX_NEEDS_PER_VISIT)
    followups: list[FollowUpIn] = Field(default_factory=list, max_length=50)


class VisitMade(BaseModel):
    visit_id: uuid.UUID
    household_id: str
    need_report_ids: list[uuid.UUID] = Field(
        description="Each need found, now a report on its way to a case."
    )


class NeedView(BaseModel):
    report_id: uuid.UUID
    category: str
    description: str
    severity: str
    found_at: datetime
    case_status: str | None
    met: bool
    open: bool


class VisitNeed(BaseModel):
    report_id: uuid.UUID
    role: Literal["found", "followed_up"]
    outcome: Literal["in_progress", "met"] | None
    note: str


class VisitView(BaseModel):
    visit_id: uuid.UUID
    kind: str
    visited_by: str
    visitor_kind: str
    visited_at: datetime
    answered: bool
    notes: str
    needs: list[VisitNeed]


class HouseholdDetail(Household):
    needs: list[NeedView]
    visits: list[VisitView]


class CommunityCoverage(BaseModel):
    community_code: str
    households: int
    visited: int = Field(description="Households visited in the quarter.")
    coverage: float = Field(description="visited / households.")
    visits: int
    needs_found: int
    needs_met: int


class CoverageReport(BaseModel):
    quarter: str
    communities: list[CommunityCoverage]


@router.post(
    "/households",
    status_code=status.HTTP_201_CREATED,
    response_model=Household,
    summary="Register a household (an address the community keeps; no names, no phones)",
    responses=answers(404),
)
async def post_household(
    body: NewHousehold,
    scope: Scope = Depends(scoped("community_worker", "dispatcher")),
    service: ServiceHandle = Depends(service_of),
) -> Household:
    scope.require_community(body.community_code)
    async with service.unit_of_work() as uow:
        household_id = await visits.register_household(
            uow, body.community_code, body.address_label, scope.subject
        )
        return Household(**dict(await visits.household(uow.conn, household_id)))


@router.get(
    "/households", response_model=HouseholdPage, summary="A community's households, last visit and open needs"
)
async def get_households(
    community_code: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
    scope: Scope = Depends(_VISITORS),
    service: ServiceHandle = Depends(service_of),
) -> HouseholdPage:
    communities = scope.narrow(community_code)
    async with service.pool.acquire() as conn:
        total, rows = await visits.list_households(conn, communities, limit, offset)
    return HouseholdPage(items=[Household(**row) for row in rows], total=total, limit=limit, offset=offset)


@router.get(
    "/households/{household_id}",
    response_model=HouseholdDetail,
    summary="A household with its needs and visits",
)
async def get_household(
    household_id: str, scope: Scope = Depends(_VISITORS), service: ServiceHandle = Depends(service_of)
) -> HouseholdDetail:
    async with service.pool.acquire() as conn:
        row = await visits.household(conn, household_id)
        scope.reveal(scope.covers_community(row["community_code"]), "household_id", "household")
        needs = await visits.needs_of(conn, household_id)
        history = await visits.visits_of(conn, household_id)
    return HouseholdDetail(
        **dict(row),
        last_visited_at=history[0]["visited_at"] if history else None,
        open_needs=sum(1 for need in needs if need["open"]),
        needs=[NeedView(**need) for need in needs],
        visits=[VisitView(**visit) for visit in history],
    )


@router.post(
    "/households/{household_id}/visits",
    status_code=status.HTTP_201_CREATED,
    response_model=VisitMade,
    summary="Record a door-knocking visit or a caring follow-up; each need found becomes a case",
)
async def post_visit(
    household_id: str,
    body: NewVisit,
    scope: Scope = Depends(scoped(*VISITING_ROLES)),
    service: ServiceHandle = Depends(service_of),
) -> VisitMade:
    roles = scope.principal.roles
    visitor_kind = next((role for role in VISITING_ROLES if role in roles), "community_worker")
    draft = VisitDraft(
        kind=body.kind,
        answered=body.answered,
        visited_at=body.visited_at,
        notes=body.notes,
        needs=[NeedFound(n.category, n.description, n.severity) for n in body.needs],
        followups=[FollowUp(f.report_id, f.outcome, f.note) for f in body.followups],
    )
    async with service.unit_of_work() as uow:
        home = await visits.household(uow.conn, household_id)
        scope.reveal(scope.covers_community(home["community_code"]), "household_id", "household")
        made = await visits.record_visit(
            uow, household_id, visits.Visitor(scope.subject, visitor_kind), draft
        )
    return VisitMade(visit_id=made.visit_id, household_id=household_id, need_report_ids=made.need_report_ids)


@router.get(
    "/statistics/visits",
    response_model=CoverageReport,
    summary="Coverage of door-knocking visits in a quarter: households visited over households kept",
)
async def get_coverage(
    quarter: str | None = Query(None, description="Like 2026-Q4; default the current quarter."),
    street_code: str | None = None,
    community_code: str | None = None,
    scope: Scope = Depends(scoped("community_worker", "dispatcher")),
    service: ServiceHandle = Depends(service_of),
) -> CoverageReport:
    context = service.context
    try:
        period = parse_quarter(quarter, context.clock.now().astimezone(DISTRICT_TIMEZONE).date())
    except VisitRejected as error:
        raise Invalid("quarter", error.reason, where="query") from None
    communities = [
        o.code
        for o in context.bundle.organisations
        if (street_code is None or o.street_code == street_code)
        and (community_code is None or o.code == community_code)
        and scope.covers_community(o.code)
    ]
    async with service.pool.acquire() as conn:
        rows = await visits.coverage(conn, communities, period)
    return CoverageReport(
        quarter=period.label,
        communities=[
            CommunityCoverage(
                community_code=row.community_code,
                households=row.households,
                visited=row.visited,
                coverage=row.ratio,
                visits=row.visits,
                needs_found=row.needs_found,
                needs_met=row.needs_met,
            )
            for row in rows
        ],
    )
