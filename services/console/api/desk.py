"""The dispatcher's desk: the live board, one case with its photos and timeline (reassign, merge, split), the map."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import httpx
from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import Response

from services.console.adapters.platform import ApiError
from services.console.api.web import Session, check_csrf, language, not_found, page, render
from services.console.context import ConsoleContext
from services.console.domain.case_actions import splittable_reports
from services.console.domain.deadlines import countdown, urgency
from services.console.domain.map import DistrictMap, district_map
from services.console.domain.messages import translate
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
    timeline = await context.platform.listing(session.token, "dispatch", f"/cases/{case_id}/timeline")
    case["urgency"] = urgency(case["remaining_seconds"])
    case["countdown"] = countdown(case["remaining_seconds"])
    return case, timeline


async def _merge_targets(session: Session, context: ConsoleContext, case: dict) -> list[dict]:
    """The open cases of the same community a dispatcher may fold this one into."""
    if "merge" not in case["allowed_actions"]:
        return []
    answer = await _board(session, context, {"community_code": case["community_code"]})
    return [other for other in answer["items"] if other["case_id"] != case["case_id"]]


async def _case_body(
    request: Request,
    session: Session,
    context: ConsoleContext,
    case_id: UUID,
    template: str = "desk_case_body.html",
    **values,
) -> Response:
    case, timeline = await _case(session, context, case_id)
    return render(
        request,
        template,
        session,
        case=case,
        timeline=timeline,
        units=context.bundle.units,
        merge_targets=await _merge_targets(session, context, case),
        splittable=splittable_reports(case),
        **values,
    )


@router.get("/cases/{case_id}")
async def one_case(
    case_id: UUID,
    request: Request,
    session: Session = Depends(DESK),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    try:
        return await _case_body(request, session, context, case_id, "desk_case.html")
    except ApiError as error:
        problem = {"problem": error.message, "back": "/desk", "back_title": "case.back"}
        return render(request, "problem_page.html", session, status_code=error.status, **problem)
    except HTTPException as error:  # a person's browser gets a page, not a JSON body
        problem = {"problem": not_found(request, error), "back": "/desk", "back_title": "case.back"}
        return render(request, "problem_page.html", session, status_code=error.status_code, **problem)


async def _act(
    request: Request, session: Session, context: ConsoleContext, case_id: UUID, action: str, body: dict
) -> tuple[dict | None, Response | None]:
    """A dispatcher's action on a case of their area: dispatch's answer, or the case again with its errors."""
    await _case(session, context, case_id)  # within the dispatcher's area, or 404
    try:
        answer = await context.platform.call(
            session.token, "POST", "dispatch", f"/cases/{case_id}/{action}", json=body
        )
    except ApiError as error:
        errors = error.fields or {"form": error.message}
        page_ = await _case_body(request, session, context, case_id, errors=errors, form=body)
        page_.status_code = 422
        return None, page_
    return answer, None


@router.post("/cases/{case_id}/reassign")
async def reassign(
    case_id: UUID,
    request: Request,
    unit_id: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    session: Session = Depends(DESK),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    body = {"unit_id": unit_id, "reason": reason}
    _, refused = await _act(request, session, context, case_id, "reassign", body)
    return refused or await _case_body(request, session, context, case_id)


@router.post("/cases/{case_id}/merge")
async def merge(
    case_id: UUID,
    request: Request,
    into_case_id: Annotated[str, Form()] = "",
    session: Session = Depends(DESK),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    """Fold this case into another; the page goes on to the case that keeps going."""
    if not into_case_id:
        errors = {"into_case_id": translate(language(request), "case.merge_choose")}
        page_ = await _case_body(request, session, context, case_id, errors=errors)
        page_.status_code = 422
        return page_
    answer, refused = await _act(request, session, context, case_id, "merge", {"into_case_id": into_case_id})
    if refused:
        return refused
    assert answer is not None
    target = f"/desk/cases/{answer['case_id']}"
    return Response(status_code=200, headers={"HX-Redirect": target})


@router.post("/cases/{case_id}/split")
async def split(
    case_id: UUID,
    request: Request,
    report_id: Annotated[str, Form()] = "",
    session: Session = Depends(DESK),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    """Take a report out into a case of its own, routed afresh; this case's page says which."""
    answer, refused = await _act(request, session, context, case_id, "split", {"report_id": report_id})
    if refused:
        return refused
    assert answer is not None
    done = translate(
        language(request), "case.split_into", number=answer.get("case_number") or answer["case_id"]
    )
    return await _case_body(request, session, context, case_id, done=done)


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
    tiles = shape.tiles() if context.settings.map_tile_url else []
    return render(request, "desk_map_pins.html", session, shape=shape, pins=placed, tiles=tiles)


@router.get("/map/tiles/{z}/{x}/{y}")
async def tile(
    z: int, x: int, y: int, _: Session = Depends(MAP), context: ConsoleContext = Depends(context_of)
) -> Response:
    """A background tile from the configured tile server, so the page loads every image from the console."""
    if not context.settings.map_tile_url or (z, x, y) not in {(t.z, t.x, t.y) for t in _map(context).tiles()}:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no tile {z}/{x}/{y} under the map")
    url = context.settings.map_tile_url.format(z=z, x=x, y=y)
    try:
        answer = await context.platform.client.get(url)
    except httpx.TransportError:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, detail="the tile server is not reachable") from None
    if answer.status_code != 200:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"the tile server has no tile {z}/{x}/{y}")
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", "image/png"),
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


def _map(context: ConsoleContext) -> DistrictMap:
    if context.district_map is None:
        context.district_map = district_map(context.bundle)
    return context.district_map
