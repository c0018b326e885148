"""Programmes: cultivation tracks, courses, mentor studios and pairings."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, status

from services.training.api.answers import CourseMade, PairingMade, StudioMade
from services.training.api.common import ANYONE, STAFF, STAFF_SCOPE, Gate, GateDep
from services.training.api.views import Course, Pairing, Studio, Track
from services.training.handlers.access import ensure_sees
from services.training.handlers.mentoring import (
    EndPairing,
    OpenStudio,
    PairMentor,
    ProgressNote,
    end_pairing,
    list_studios,
    note_progress,
    open_studio,
    pair,
    pairing_view,
)
from services.training.handlers.programmes import (
    CreateCourse,
    DefineTrack,
    create_course,
    define_track,
    list_courses,
    tracks,
)
from shared.auth import require
from shared.http.contract import answers
from shared.scope import Scope, scoped

router = APIRouter(tags=["programmes"])


@router.put("/tracks/{code}", status_code=status.HTTP_204_NO_CONTENT, summary="Define or replace a track")
async def put_track(
    body: DefineTrack,
    code: str = Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"),
    g: Gate = GateDep,
    _=Depends(require(*STAFF)),
) -> None:
    async with g.command() as uow:
        await define_track(uow, code, body)


@router.get("/tracks", summary="The cultivation tracks and what each requires")
async def get_tracks(g: Gate = GateDep, _=Depends(require(*ANYONE))) -> list[Track]:
    async with g.query() as conn:
        return [track for track, _requirements in await tracks(conn)]


@router.post(
    "/courses",
    status_code=status.HTTP_201_CREATED,
    summary="Create a course (a series of sessions)",
    responses=answers(404),
)
async def post_course(body: CreateCourse, g: Gate = GateDep, _=Depends(require(*STAFF))) -> CourseMade:
    async with g.command() as uow:
        return {"course_id": await create_course(uow, body)}


@router.get("/courses", summary="Courses and the sessions scheduled in each")
async def get_courses(g: Gate = GateDep, _=Depends(require(*ANYONE))) -> list[Course]:
    async with g.query() as conn:
        return await list_courses(conn)


@router.post(
    "/studios", status_code=status.HTTP_201_CREATED, summary="Open a mentor studio", responses=answers(404)
)
async def post_studio(body: OpenStudio, g: Gate = GateDep, _=Depends(require(*STAFF))) -> StudioMade:
    async with g.command() as uow:
        return {"studio_id": await open_studio(uow, body)}


@router.get("/studios", summary="Mentor studios and their active pairings")
async def get_studios(g: Gate = GateDep, _=Depends(require(*ANYONE))) -> list[Studio]:
    async with g.query() as conn:
        return await list_studios(conn)


@router.post(
    "/pairings",
    status_code=status.HTTP_201_CREATED,
    summary="Pair a mentor with a mentee",
    responses=answers(404),
)
async def post_pairing(body: PairMentor, g: Gate = GateDep, scope: Scope = STAFF_SCOPE) -> PairingMade:
    async with g.command() as uow:
        await ensure_sees(uow.conn, scope, "person", body.mentee_id)
        return {"pairing_id": await pair(uow, body)}


@router.get("/pairings/{pairing_id}", summary="A pairing with its progress notes")
async def get_pairing(pairing_id: str, g: Gate = GateDep, scope: Scope = Depends(scoped())) -> Pairing:
    async with g.query() as conn:
        await ensure_sees(conn, scope, "pairing", pairing_id)
        return await pairing_view(conn, pairing_id)


@router.post("/pairings/{pairing_id}/notes", status_code=status.HTTP_204_NO_CONTENT, summary="Note progress")
async def post_note(
    pairing_id: str, body: ProgressNote, g: Gate = GateDep, scope: Scope = STAFF_SCOPE
) -> None:
    async with g.command() as uow:
        await ensure_sees(uow.conn, scope, "pairing", pairing_id)
        await note_progress(uow, pairing_id, body)


@router.post("/pairings/{pairing_id}/end", status_code=status.HTTP_204_NO_CONTENT, summary="End a pairing")
async def post_end(pairing_id: str, body: EndPairing, g: Gate = GateDep, scope: Scope = STAFF_SCOPE) -> None:
    async with g.command() as uow:
        await ensure_sees(uow.conn, scope, "pairing", pairing_id)
        await end_pairing(uow, pairing_id, body)
