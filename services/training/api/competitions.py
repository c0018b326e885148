"""The Social Worker Cup (社工杯): registration, preliminary, judged rounds, ranking and published results."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, status

from services.training.api.answers import (
    CompetitionMade,
    ContestantRegistered,
    Finalists,
    Published,
    Ranking,
    ScoreRecorded,
)
from services.training.api.common import ANYONE, STAFF, Gate, GateDep
from services.training.api.views import CompetitionSummary, Results
from services.training.domain.competition import ROUNDS, TIE_BREAK
from services.training.handlers.competition import (
    OpenCompetition,
    Register,
    RunPreliminary,
    Score,
    competitions,
    open_competition,
    publish_results,
    ranked_line,
    ranking,
    register,
    results,
    run_preliminary,
    score,
)
from shared.auth import Principal, require
from shared.http.contract import answers

router = APIRouter(tags=["social worker cup"])


@router.post(
    "/competitions", status_code=status.HTTP_201_CREATED, summary="Open a competition", responses=answers(404)
)
async def post_competition(
    body: OpenCompetition, g: Gate = GateDep, _=Depends(require(*STAFF))
) -> CompetitionMade:
    async with g.command() as uow:
        return {"competition_id": await open_competition(uow, body), "rounds": ROUNDS}


@router.get("/competitions", summary="Every Cup, newest first, with its status and how many take part")
async def get_competitions(
    in_status: Literal["registration", "final", "published"] | None = Query(
        None, alias="status", description="Only the Cups in this status."
    ),
    g: Gate = GateDep,
    _=Depends(require(*ANYONE)),
) -> list[CompetitionSummary]:
    async with g.query() as conn:
        return [CompetitionSummary(**row) for row in await competitions(conn, in_status)]


@router.post(
    "/competitions/{competition_id}/contestants",
    status_code=status.HTTP_201_CREATED,
    summary="Register a community worker",
)
async def post_contestant(
    competition_id: str, body: Register, g: Gate = GateDep, _=Depends(require(*STAFF))
) -> ContestantRegistered:
    async with g.command() as uow:
        await register(uow, competition_id, body)
        return {"competition_id": competition_id, "person_id": body.person_id}


@router.post(
    "/competitions/{competition_id}/preliminary",
    summary="Record preliminary scores and select the finalists (registration closes)",
)
async def post_preliminary(
    competition_id: str, body: RunPreliminary, g: Gate = GateDep, _=Depends(require(*STAFF))
) -> Finalists:
    async with g.command() as uow:
        return {"finalists": await run_preliminary(uow, competition_id, body)}


@router.post(
    "/competitions/{competition_id}/scores",
    status_code=status.HTTP_201_CREATED,
    summary="A judge (the token's subject) scores a finalist in a round, once",
)
async def post_score(
    competition_id: str, body: Score, g: Gate = GateDep, judge: Principal = Depends(require(*STAFF))
) -> ScoreRecorded:
    async with g.command() as uow:
        await score(uow, competition_id, judge.subject, body)
        return {"judge_id": judge.subject, "round": body.round, "person_id": body.person_id}


@router.get("/competitions/{competition_id}/ranking", summary="The ranking so far (provisional)")
async def get_ranking(competition_id: str, g: Gate = GateDep, _=Depends(require(*STAFF))) -> Ranking:
    async with g.query() as conn:
        lines = [ranked_line(r).model_dump() for r in await ranking(conn, competition_id)]
        return {"competition_id": competition_id, "tie_break": TIE_BREAK, "ranking": lines}


@router.post("/competitions/{competition_id}/publish", summary="Publish the final results")
async def post_publish(competition_id: str, g: Gate = GateDep, _=Depends(require(*STAFF))) -> Published:
    async with g.command() as uow:
        lines = await publish_results(uow, competition_id)
        return {"competition_id": competition_id, "ranking": [line.model_dump() for line in lines]}


@router.get("/competitions/{competition_id}/results", summary="Published results, optionally for one street")
async def get_results(
    competition_id: str, street_code: str | None = None, g: Gate = GateDep, _=Depends(require(*ANYONE))
) -> Results:
    async with g.query() as conn:
        return await results(conn, competition_id, street_code)
