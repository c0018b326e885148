"""Targeted help for weak communities (沉浸式帮扶)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, status

from services.training.api.answers import AssistanceMade
from services.training.api.common import STAFF, STAFF_SCOPE, Gate, GateDep
from services.training.api.views import Assistance, AssistanceSummary
from services.training.handlers.access import ensure_sees, require_organisation
from services.training.handlers.assistance import (
    FollowUp,
    OpenAssistance,
    RecordVisit,
    assistance_view,
    close,
    follow_up,
    list_assistance,
    open_assistance,
    record_visit,
)
from shared.http.contract import answers
from shared.scope import Scope, scoped

router = APIRouter(tags=["targeted help"])


@router.post(
    "/assistance",
    status_code=status.HTTP_201_CREATED,
    summary="Mark a community weak in an area and send an excellent secretary",
    responses=answers(404),
)
async def post_assistance(
    body: OpenAssistance, g: Gate = GateDep, scope: Scope = STAFF_SCOPE
) -> AssistanceMade:
    require_organisation(scope, body.organisation_code)
    async with g.command() as uow:
        return {"assistance_id": await open_assistance(uow, body), "status": "open"}


@router.get("/assistance", summary="Targeted help, by status")
async def get_assistance(
    status: Literal["open", "followed_up", "closed"] | None = None,
    g: Gate = GateDep,
    scope: Scope = Depends(scoped()),
) -> list[AssistanceSummary]:
    staff = scope.principal.has_any(*STAFF, "service")
    organisations = (None if scope.district else sorted(scope.communities)) if staff else []
    async with g.query() as conn:
        return await list_assistance(conn, status, organisations, scope.subject)


@router.get("/assistance/{assistance_id}", summary="One piece of targeted help with its follow-ups")
async def get_one(assistance_id: str, g: Gate = GateDep, scope: Scope = Depends(scoped())) -> Assistance:
    async with g.query() as conn:
        await ensure_sees(conn, scope, "assistance", assistance_id)
        return await assistance_view(conn, assistance_id)


@router.post(
    "/assistance/{assistance_id}/visit", summary="Record the on-site analysis and the guidance given"
)
async def post_visit(
    assistance_id: str,
    body: RecordVisit,
    g: Gate = GateDep,
    scope: Scope = Depends(scoped(*STAFF, "community_worker")),
) -> Assistance:
    secretary = None if scope.principal.has_any(*STAFF) else scope.subject
    async with g.command() as uow:
        await ensure_sees(uow.conn, scope, "assistance", assistance_id)
        await record_visit(uow, assistance_id, body, secretary_id=secretary)
    async with g.query() as conn:
        return await assistance_view(conn, assistance_id)


@router.post("/assistance/{assistance_id}/followups", summary="Follow up (open → followed_up)")
async def post_followup(
    assistance_id: str, body: FollowUp, g: Gate = GateDep, scope: Scope = STAFF_SCOPE
) -> Assistance:
    async with g.command() as uow:
        await ensure_sees(uow.conn, scope, "assistance", assistance_id)
        await follow_up(uow, assistance_id, body)
    async with g.query() as conn:
        return await assistance_view(conn, assistance_id)


@router.post("/assistance/{assistance_id}/close", summary="Close (followed_up → closed)")
async def post_close(assistance_id: str, g: Gate = GateDep, scope: Scope = STAFF_SCOPE) -> Assistance:
    async with g.command() as uow:
        await ensure_sees(uow.conn, scope, "assistance", assistance_id)
        await close(uow, assistance_id)
    async with g.query() as conn:
        return await assistance_view(conn, assistance_id)
