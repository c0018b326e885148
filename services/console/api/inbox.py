"""A unit's inbox: its cases, each with a page of its own where its handler accepts, starts, returns it with a
reason, or resolves it with a note and an after-photo."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile, status
from fastapi.responses import RedirectResponse, Response

from services.console.adapters.platform import ApiError
from services.console.api.web import Session, check_csrf, not_found, page, render
from services.console.context import ConsoleContext
from services.console.domain.case_actions import handler_actions, is_units_case
from services.console.domain.deadlines import countdown, urgency
from shared.runtime.app import context_of

router = APIRouter(prefix="/inbox", dependencies=[Depends(check_csrf)], include_in_schema=False)
INBOX = page("/inbox")
Action = Literal["accept", "start", "return", "resolve"]


async def _units(session: Session, context: ConsoleContext) -> list[str]:
    units = await context.platform.listing(session.token, "dispatch", "/me/units")
    return units or ([session.account.unit_id] if session.account.unit_id else [])


def _with_deadline(case: dict) -> dict:
    return case | {
        "urgency": urgency(case["remaining_seconds"]),
        "countdown": countdown(case["remaining_seconds"]),
    }


@router.get("")
async def inbox_page(request: Request, session: Session = Depends(INBOX)) -> Response:
    return render(request, "inbox.html", session)


@router.get("/cases")
async def inbox_cases(
    request: Request, session: Session = Depends(INBOX), context: ConsoleContext = Depends(context_of)
) -> Response:
    cases, problem = [], None
    try:
        for unit_id in await _units(session, context):
            cases += await context.platform.every(session.token, "dispatch", f"/units/{unit_id}/cases")
    except ApiError as error:
        problem = error.message
    cases = [_with_deadline(case) for case in cases]
    return render(request, "inbox_cases.html", session, cases=cases, problem=problem)


async def _units_case(
    session: Session, context: ConsoleContext, case_id: UUID
) -> tuple[dict, list, list[str]]:
    """The case, its timeline and the person's units; 404 unless the case is one of their units' (as dispatch
    answers for a case it does not show them)."""
    units = await _units(session, context)
    try:
        case = await context.platform.call(session.token, "GET", "dispatch", f"/cases/{case_id}")
    except ApiError as error:
        if error.status in (403, 404):
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no case {case_id} in your unit") from None
        raise
    if not is_units_case(case, units):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no case {case_id} in your unit")
    timeline = await context.platform.listing(session.token, "dispatch", f"/cases/{case_id}/timeline")
    return _with_deadline(case), timeline, units


async def _case_page(
    request: Request, session: Session, context: ConsoleContext, case_id: UUID, **values
) -> Response:
    case, timeline, units = await _units_case(session, context, case_id)
    actions = handler_actions(case) if case["unit_id"] in units else ()
    return render(
        request, "inbox_case_page.html", session, case=case, timeline=timeline, actions=actions, **values
    )


@router.get("/cases/{case_id}")
async def one_case(
    case_id: UUID,
    request: Request,
    done: str = "",
    session: Session = Depends(INBOX),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    try:
        return await _case_page(request, session, context, case_id, done=done)
    except HTTPException as error:  # a person's browser gets a page, not a JSON body
        problem = {"problem": not_found(request, error), "back": "/inbox", "back_title": "inbox.back"}
        return render(request, "problem_page.html", session, status_code=error.status_code, **problem)


@router.post("/cases/{case_id}/{action}")
async def act(
    case_id: UUID,
    action: Action,
    request: Request,
    note: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    photo: Annotated[UploadFile | None, File()] = None,
    session: Session = Depends(INBOX),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    """One of the unit's actions; back to the case page (its errors next to their fields, answered 422)."""
    await _units_case(session, context, case_id)  # one of the person's units' cases, or 404
    try:
        body = await _body(session, context, action, note, reason, photo)
        await context.platform.call(
            session.token, "POST", "dispatch", f"/cases/{case_id}/{action}", json=body
        )
    except ApiError as error:
        errors = error.fields or {"form": error.message}
        form = {"note": note, "reason": reason, "action": action}
        page_ = await _case_page(request, session, context, case_id, errors=errors, form=form)
        page_.status_code = 422 if error.status < 500 else error.status
        return page_
    return RedirectResponse(f"/inbox/cases/{case_id}?done={action}", status_code=303)


async def _body(
    session: Session, context: ConsoleContext, action: str, note: str, reason: str, photo: UploadFile | None
) -> dict | None:
    if action == "return":
        return {"reason": reason}
    if action != "resolve":
        return None
    body: dict = {"note": note}
    if photo is not None and photo.filename:
        if not note.strip():  # checked before the photo is stored, so a refused form leaves nothing behind
            raise ApiError(422, "a note is required", {"note": "a note is required"})
        files = {"photo": (photo.filename, await photo.read(), photo.content_type or "image/jpeg")}
        stored = await context.platform.call(session.token, "POST", "patrol", "/photos", files=files)
        body["photo_url"] = stored["photo_url"]
    return body
