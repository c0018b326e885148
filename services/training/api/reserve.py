"""The reserve pool: nominations, the pool against its target, stages, cultivation records, appointment."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, status

from services.training.api.answers import CandidateMade, CandidateStage, RecordMade
from services.training.api.common import ANYONE, STAFF, STAFF_SCOPE, Gate, GateDep
from services.training.api.views import Candidate, CandidateSummary, ReservePool
from services.training.domain.reserve import Stage, check_nomination_source
from services.training.handlers.access import ensure_sees
from services.training.handlers.reserve import (
    Appoint,
    ChangeStage,
    CultivationRecord,
    Nominate,
    appoint,
    change_stage,
    nominate,
    record_cultivation,
)
from services.training.handlers.reserve_views import candidate_view, list_candidates, reserve_pool
from shared.auth import require
from shared.http.contract import answers
from shared.scope import Scope, scoped

router = APIRouter(tags=["reserve pool"])


@router.post(
    "/reserve/nominations",
    status_code=status.HTTP_201_CREATED,
    summary="Nominate a candidate (by the organisation, the masses, or oneself)",
    responses=answers(404),
)
async def post_nomination(
    body: Nominate, g: Gate = GateDep, scope: Scope = Depends(scoped(*STAFF, "community_worker"))
) -> CandidateMade:
    async with g.command() as uow:
        check_nomination_source(
            body.nominated_by,
            by_staff=scope.principal.has_any(*STAFF),
            for_self=scope.subject == body.person_id,
        )
        if scope.principal.has_any(*STAFF):
            scope.require_community(body.organisation_code, "organisation_code")
        return {"candidate_id": await nominate(uow, body)}


@router.get("/reserve/pool", summary="Candidates per organisation against the target, those below it flagged")
async def get_pool(
    street_code: str | None = None, g: Gate = GateDep, _=Depends(require(*ANYONE))
) -> ReservePool:
    async with g.query() as conn:
        return await reserve_pool(conn, g.context.settings.reserve_target_per_organisation, street_code)


@router.get("/reserve/candidates", summary="Candidates, by organisation and stage")
async def get_candidates(
    organisation_code: str | None = None,
    stage: Stage | None = None,
    g: Gate = GateDep,
    scope: Scope = STAFF_SCOPE,
) -> list[CandidateSummary]:
    organisations = scope.narrow(organisation_code, "organisation_code")
    async with g.query() as conn:
        return await list_candidates(conn, organisations, stage)


@router.get("/reserve/candidates/{candidate_id}", summary="A candidate with cultivation records and practice")
async def get_candidate(candidate_id: str, g: Gate = GateDep, scope: Scope = STAFF_SCOPE) -> Candidate:
    async with g.query() as conn:
        await ensure_sees(conn, scope, "candidate", candidate_id)
        return await candidate_view(conn, candidate_id)


@router.post("/reserve/candidates/{candidate_id}/stage", summary="Move a candidate to another stage")
async def post_stage(
    candidate_id: str, body: ChangeStage, g: Gate = GateDep, scope: Scope = STAFF_SCOPE
) -> CandidateStage:
    async with g.command() as uow:
        await ensure_sees(uow.conn, scope, "candidate", candidate_id)
        return {"candidate_id": candidate_id, "stage": await change_stage(uow, candidate_id, body)}


@router.post(
    "/reserve/candidates/{candidate_id}/appoint",
    summary="Appoint a ready candidate to their organisation's vacant secretary post",
)
async def post_appointment(
    candidate_id: str,
    body: Appoint = Body(default_factory=Appoint),
    g: Gate = GateDep,
    scope: Scope = STAFF_SCOPE,
) -> CandidateStage:
    async with g.command() as uow:
        await ensure_sees(uow.conn, scope, "candidate", candidate_id)
        await appoint(uow, candidate_id, body)
        return {"candidate_id": candidate_id, "stage": "appointed"}


@router.post(
    "/reserve/candidates/{candidate_id}/records",
    status_code=status.HTTP_201_CREATED,
    summary="Record cultivation by a method, a rotation, a heart-to-heart talk or a periodic review",
)
async def post_record(
    candidate_id: str,
    body: CultivationRecord,
    g: Gate = GateDep,
    scope: Scope = STAFF_SCOPE,
) -> RecordMade:
    async with g.command() as uow:
        await ensure_sees(uow.conn, scope, "candidate", candidate_id)
        return {"record_id": await record_cultivation(uow, candidate_id, body, scope.subject)}
