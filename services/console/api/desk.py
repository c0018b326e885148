"""The dispatcher's desk: the live board, one case with its photos and timeline, reassignment, the map."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import Response

from services.console.adapters.platform import ApiError
from services.console.api.web import Session, check_csrf, page, render
from services.console.context import ConsoleContext
from services.console.domain.deadlines import countdown, urgency
from services.console.domain.map import DistrictMap, district_map
from services.console.domain.scope import BOARD_FILTERS
from shared.runtime.app import context_of

router = APIRouter(prefix="/desk", dependencies=[Depends(check_csrf)], include_in_schema=False)
DESK = page("/desk")
MAP = page("/desk/map")
STATUSES = (
    "assigned",
    "accepted",
    "in_progress",
    "resolved",
    "reopened",
    "returned",
    "closed",
    "cancelled",
    "merged",
)


def _filters(request: Request) -> dict[str, str]:
    return {key: request.query_params.get(key, "") for key in BOARD_FILTERS}


@router.get("")
async def desk(
    request: Request, session: Session = Depends(DESK), context: ConsoleContext = Depends(context_of)
) -> Response:
    bundle = context.bundle
    return render(
        request,
        "desk.html",
        session,
        filters=_filters(request),
        streets=bundle.streets,
        communities=[
            o
            for o in bundle.organisations
            if session.scope.covers({"community_code": o.code, "street_code": o.street_code})
        ],
        categories=bundle.categories,
        statuses=STATUSES,
        query=request.url.query,
    )


async def _board(session: Session, context: ConsoleContext, requested: dict[str, str], limit: int = 500):
    query = session.scope.board_query(requested)
    answer = await context.platform.call(
        session.token, "GET", "dispatch", "/cases", params={**query, "limit": limit}
    )
    if "status" not in query:  # the open board unless a status is asked for
        answer["items"] = [case for case in answer["items"] if case["remaining_seconds"] is not None]
    for case in answer["items"]:
        case["urgency"] = urgency(case["remaining_seconds"])
        case["countdown"] = countdown(case["remaining_seconds"])
    return answer


@router.get("/board")
async def board(
    request: Request, session: Session = Depends(DESK), context: ConsoleContext = Depends(context_of)
) -> Response:
    try:
        answer = await _board(session, context, _filters(request))
    except ApiError as error:
        return render(request, "problem.html", session, problem=error.message, status_code=200)
    return render(request, "desk_board.html", session, board=answer)


async def _case(session: Session, context: ConsoleContext, case_id: UUID) -> tuple[dict, list]:
    case = await context.platform.call(session.token, "GET", "dispatch", f"/cases/{case_id}")
    if not session.scope.covers(case):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no case {case_id} in your area")
    timeline = await context.platform.call(session.token, "GET", "dispatch", f"/cases/{case_id}/timeline")
    case["urgency"] = urgency(case["remaining_seconds"])
    case["countdown"] = countdown(case["remaining_seconds"])
    return case, timeline


@router.get("/cases/{case_id}")
async def one_case(
    case_id: UUID,
    request: Request,
    session: Session = Depends(DESK),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    try:
        case, timeline = await _case(session, context, case_id)
    except ApiError as error:
        return render(request, "problem.html", session, problem=error.message, status_code=error.status)
    return render(
        request, "desk_case.html", session, case=case, timeline=timeline, units=context.bundle.units
    )


@router.post("/cases/{case_id}/reassign")
async def reassign(
    case_id: UUID,
    request: Request,
    unit_id: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    session: Session = Depends(DESK),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    errors: dict[str, str] = {}
    await _case(session, context, case_id)  # within the dispatcher's area, or 404
    try:
        await context.platform.call(
            session.token,
            "POST",
            "dispatch",
            f"/cases/{case_id}/reassign",
            json={"unit_id": unit_id, "reason": reason},
        )
    except ApiError as error:
        errors = error.fields or {"form": error.message}
    case, timeline = await _case(session, context, case_id)
    return render(
        request,
        "desk_case_body.html",
        session,
        case=case,
        timeline=timeline,
        units=context.bundle.units,
        errors=errors,
        form={"unit_id": unit_id, "reason": reason},
        status_code=422 if errors else 200,
    )


@router.get("/map")
async def district(
    request: Request, session: Session = Depends(MAP), context: ConsoleContext = Depends(context_of)
) -> Response:
    return render(request, "desk_map.html", session)


@router.get("/map/pins")
async def pins(
    request: Request, session: Session = Depends(MAP), context: ConsoleContext = Depends(context_of)
) -> Response:
    answer = await _board(session, context, {})
    shape = _map(context)
    placed = [pin for pin in (shape.pin(case, case["urgency"]) for case in answer["items"]) if pin]
    return render(request, "desk_map_pins.html", session, shape=shape, pins=placed)


def _map(context: ConsoleContext) -> DistrictMap:
    if context.district_map is None:
        context.district_map = district_map(context.bundle)
    return context.district_map
