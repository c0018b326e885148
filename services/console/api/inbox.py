"""A unit's inbox: its handler accepts a case, returns it with a reason, or resolves it with a note."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from services.console.adapters.platform import ApiError
from services.console.api.web import Session, check_csrf, page, render
from services.console.context import ConsoleContext
from services.console.domain.case_actions import handler_actions
from services.console.domain.deadlines import countdown, urgency
from shared.runtime.app import context_of

router = APIRouter(prefix="/inbox", dependencies=[Depends(check_csrf)], include_in_schema=False)
INBOX = page("/inbox")


async def _units(session: Session, context: ConsoleContext) -> list[str]:
    units = await context.platform.call(session.token, "GET", "dispatch", "/me/units")
    return units or ([session.account.unit_id] if session.account.unit_id else [])


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
    for case in cases:
        case["urgency"] = urgency(case["remaining_seconds"])
        case["countdown"] = countdown(case["remaining_seconds"])
        case["actions"] = handler_actions(case["status"])
    return render(request, "inbox_cases.html", session, cases=cases, problem=problem)


@router.post("/cases/{case_id}/{action}")
async def act(
    case_id: UUID,
    action: Literal["accept", "return", "resolve"],
    request: Request,
    note: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    session: Session = Depends(INBOX),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    body = {"accept": None, "return": {"reason": reason}, "resolve": {"note": note}}[action]
    errors: dict[str, str] = {}
    try:
        await context.platform.call(
            session.token, "POST", "dispatch", f"/cases/{case_id}/{action}", json=body
        )
    except ApiError as error:
        errors = error.fields or {"form": error.message}
    case = await context.platform.call(session.token, "GET", "dispatch", f"/cases/{case_id}")
    case["urgency"] = urgency(case["remaining_seconds"])
    case["countdown"] = countdown(case["remaining_seconds"])
    case["actions"] = handler_actions(case["status"])
    return render(
        request,
        "inbox_case.html",
        session,
        case=case,
        errors=errors,
        form={"note": note, "reason": reason, "action": action},
        status_code=422 if errors else 200,
    )
