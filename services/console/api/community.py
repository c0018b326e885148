"""The community worker: the community's watchers, and their CSV import with every bad row shown."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response

from services.console.adapters.platform import ApiError
from services.console.api.web import Session, check_csrf, page, render
from services.console.context import ConsoleContext
from shared.runtime.app import context_of

router = APIRouter(prefix="/community", dependencies=[Depends(check_csrf)], include_in_schema=False)
COMMUNITY = page("/community")


async def _watchers(session: Session, context: ConsoleContext) -> dict:
    params = {"community_code": session.account.community_code} if session.account.community_code else {}
    return await context.platform.call(session.token, "GET", "patrol", "/watchers", params=params)


@router.get("")
async def community_page(
    request: Request, session: Session = Depends(COMMUNITY), context: ConsoleContext = Depends(context_of)
) -> Response:
    try:
        watchers, problem = await _watchers(session, context), None
    except ApiError as error:
        watchers, problem = {"items": []}, error.message
    return render(request, "community.html", session, watchers=watchers, problem=problem)


@router.post("/import")
async def import_watchers(
    request: Request,
    file: UploadFile = File(...),
    session: Session = Depends(COMMUNITY),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    content = await file.read()
    try:
        outcome = await context.platform.call(
            session.token,
            "POST",
            "patrol",
            "/watchers/import",
            files={"file": (file.filename or "watchers.csv", content, "text/csv")},
        )
        problem = None
    except ApiError as error:
        outcome, problem = None, error.message
    return render(request, "community_import.html", session, outcome=outcome, problem=problem)
