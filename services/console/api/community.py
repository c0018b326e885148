"""The community worker: the community's watchers, their CSV import with every bad row shown, and the duty roster
on a calendar."""

from __future__ import annotations

from datetime import datetime, time

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response

from services.console.adapters.platform import ApiError
from services.console.api.web import Session, check_csrf, page, render
from services.console.context import ConsoleContext
from services.console.domain import calendar
from shared.clock import DISTRICT_TIMEZONE
from shared.runtime.app import context_of

router = APIRouter(prefix="/community", dependencies=[Depends(check_csrf)], include_in_schema=False)
COMMUNITY = page("/community")
ROSTER = page("/community/roster")


def _where(session: Session) -> dict[str, str]:
    return {"community_code": session.account.community_code} if session.account.community_code else {}


async def _watchers(session: Session, context: ConsoleContext) -> list[dict]:
    return await context.platform.listing(session.token, "patrol", "/watchers", **_where(session))


@router.get("")
async def community_page(
    request: Request, session: Session = Depends(COMMUNITY), context: ConsoleContext = Depends(context_of)
) -> Response:
    try:
        watchers, problem = await _watchers(session, context), None
    except ApiError as error:
        watchers, problem = [], error.message
    return render(request, "community.html", session, watchers=watchers, problem=problem)


@router.get("/roster")
async def roster(
    request: Request, session: Session = Depends(ROSTER), context: ConsoleContext = Depends(context_of)
) -> Response:
    """The community's duty shifts on a month's calendar, each with its watcher's name."""
    today = datetime.now(DISTRICT_TIMEZONE).date()
    month = calendar.parse_month(request.query_params.get("month")) or today.replace(day=1)
    start = datetime.combine(month, time(), DISTRICT_TIMEZONE)
    end = datetime.combine(calendar.shift(month, 1), time(), DISTRICT_TIMEZONE)
    shifts, names, problem = [], {}, None
    try:
        period = {"from": start.isoformat(), "to": end.isoformat()}
        shifts = await context.platform.listing(
            session.token, "patrol", "/shifts", **_where(session), **period
        )
        names = {w["watcher_id"]: w["display_name"] for w in await _watchers(session, context)}
    except ApiError as error:
        problem = error.message
    entries = [
        shift | {"watcher_name": names.get(shift["watcher_id"], shift["watcher_id"])} for shift in shifts
    ]
    return render(
        request,
        "community_roster.html",
        session,
        weeks=calendar.month_weeks(entries, month),
        month=month,
        previous=calendar.shift(month, -1),
        next=calendar.shift(month, 1),
        today=today,
        problem=problem,
    )


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
