"""Training (trainers and secretaries): the sessions' calendar with enrolment, waiting lists and attendance; the
reserve pool; the Social Worker Cup's scoreboard; the district's figures as charts."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from services.console.adapters.platform import ApiError
from services.console.api.web import Session, check_csrf, page, render
from services.console.context import ConsoleContext
from services.console.domain import calendar
from services.console.domain.figures import figure_charts
from services.console.domain.training import (
    SCOREBOARD_LINES,
    chosen_cup,
    is_trainer,
    reserve_rows,
    scoreboard,
)
from shared.clock import DISTRICT_TIMEZONE
from shared.runtime.app import context_of

router = APIRouter(prefix="/training", dependencies=[Depends(check_csrf)], include_in_schema=False)
CALENDAR = page("/training")
RESERVE = page("/training/reserve")
CUP = page("/training/cup")
FIGURES = page("/training/figures")


@router.get("")
async def sessions_calendar(
    request: Request, session: Session = Depends(CALENDAR), context: ConsoleContext = Depends(context_of)
) -> Response:
    sessions, problem = [], None
    try:
        sessions = await context.platform.listing(session.token, "training", "/sessions")
    except ApiError as error:
        problem = error.message
    today = datetime.now(DISTRICT_TIMEZONE).date()
    month = calendar.parse_month(request.query_params.get("month")) or calendar.default_month(sessions, today)
    return render(
        request,
        "training.html",
        session,
        weeks=calendar.month_weeks(sessions, month),
        month=month,
        previous=calendar.shift(month, -1),
        next=calendar.shift(month, 1),
        today=today,
        problem=problem,
    )


async def _session_page(
    request: Request, session: Session, context: ConsoleContext, session_id: str, **values
) -> Response:
    details = await context.platform.call(session.token, "GET", "training", f"/sessions/{session_id}")
    started = calendar.local(details["starts_at"]) <= datetime.now(DISTRICT_TIMEZONE)
    return render(
        request,
        "training_session.html",
        session,
        details=details,
        starts=calendar.local(details["starts_at"]),
        ends=calendar.local(details["ends_at"]),
        started=started,
        trainer=is_trainer(session.account.roles),
        **values,
    )


@router.get("/sessions/{session_id}")
async def one_session(
    session_id: str,
    request: Request,
    session: Session = Depends(CALENDAR),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    return await _session_page(request, session, context, session_id)


@router.post("/sessions/{session_id}/enrol")
async def enrol(
    session_id: str,
    request: Request,
    person_id: Annotated[str, Form()] = "",
    session: Session = Depends(CALENDAR),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    # A secretary enrols themselves; a trainer names whom they enrol.
    who = (
        person_id.strip()
        if is_trainer(session.account.roles) and person_id.strip()
        else session.account.username
    )
    try:
        answer = await context.platform.call(
            session.token, "POST", "training", f"/sessions/{session_id}/enrolments", json={"person_id": who}
        )
    except ApiError as error:
        return await _session_page(
            request, session, context, session_id, problem=error.message, errors=error.fields
        )
    return await _session_page(request, session, context, session_id, enrolled=answer)


@router.post("/sessions/{session_id}/attendance")
async def attendance(
    session_id: str,
    request: Request,
    session: Session = Depends(CALENDAR),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    form = await request.form()
    present = {str(value) for value in form.getlist("attended")}
    people = [str(value) for value in form.getlist("person_id")]
    entries = [{"person_id": person, "attended": person in present} for person in people]
    try:
        await context.platform.call(
            session.token, "POST", "training", f"/sessions/{session_id}/attendance", json={"entries": entries}
        )
    except ApiError as error:
        return await _session_page(request, session, context, session_id, problem=error.message)
    return RedirectResponse(f"/training/sessions/{session_id}?recorded=1", status_code=303)


@router.get("/reserve")
async def reserve(
    request: Request, session: Session = Depends(RESERVE), context: ConsoleContext = Depends(context_of)
) -> Response:
    street = request.query_params.get("street_code") or None
    pool, problem = None, None
    try:
        pool = await context.platform.call(
            session.token,
            "GET",
            "training",
            "/reserve/pool",
            params={"street_code": street} if street else {},
        )
    except ApiError as error:
        problem = error.message
    return render(
        request,
        "training_reserve.html",
        session,
        pool=pool,
        rows=reserve_rows(pool),
        streets=context.bundle.streets,
        street=street or "",
        problem=problem,
    )


async def cup_scoreboard(context: ConsoleContext, session: Session, competition: dict) -> dict:
    """One Cup with its published results, or for a trainer the provisional ranking of one still running."""
    token, trainer = session.token, is_trainer(session.account.roles)
    path = f"/competitions/{competition['competition_id']}"
    lines, provisional = [], False
    if competition["status"] == "published":
        lines = (await context.platform.call(token, "GET", "training", f"{path}/results"))["ranking"]
    elif trainer and competition["status"] != "registration":
        lines = (await context.platform.call(token, "GET", "training", f"{path}/ranking"))["ranking"]
        provisional = True
    names = await _people_names(context, token, [line["person_id"] for line in lines]) if trainer else {}
    return competition | {"lines": scoreboard(lines, names), "provisional": provisional}


async def _people_names(context: ConsoleContext, token: str, person_ids: list[str]) -> dict[str, str]:
    """Display names of the people a trainer may read (an id stays an id where training says no)."""

    async def name(person_id: str) -> tuple[str, str]:
        try:
            person = await context.platform.call(token, "GET", "training", f"/people/{person_id}")
        except ApiError:
            return person_id, person_id
        return person_id, person.get("display_name") or person_id

    return dict(await asyncio.gather(*(name(person_id) for person_id in person_ids[:SCOREBOARD_LINES])))


async def _cup_page(
    request: Request, session: Session, context: ConsoleContext, chosen: str | None
) -> Response:
    cups, board, problem = [], None, None
    try:
        cups = await context.platform.listing(session.token, "training", "/competitions")
        competition = chosen_cup(cups, chosen)
        if chosen and competition is None:
            problem = f"no Cup {chosen}"
        elif competition is not None:
            board = await cup_scoreboard(context, session, competition)
    except ApiError as error:
        problem = error.message
    return render(request, "training_cup.html", session, cups=cups, board=board, problem=problem)


@router.get("/cup")
async def cup(
    request: Request, session: Session = Depends(CUP), context: ConsoleContext = Depends(context_of)
) -> Response:
    return await _cup_page(request, session, context, None)


@router.get("/cup/{competition_id}")
async def one_cup(
    competition_id: str,
    request: Request,
    session: Session = Depends(CUP),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    return await _cup_page(request, session, context, competition_id)


@router.get("/figures")
async def figures(
    request: Request, session: Session = Depends(FIGURES), context: ConsoleContext = Depends(context_of)
) -> Response:
    problem, charts = None, []
    try:
        statistics = await context.platform.call(session.token, "GET", "training", "/statistics")
        charts = figure_charts(statistics, request.cookies.get("console_lang") == "en", context.names())
    except ApiError as error:
        problem = error.message
    return render(request, "training_figures.html", session, charts=charts, problem=problem)
