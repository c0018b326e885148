"""The watcher's phone: today's shift and the patrol (start, end), snap and report, my reports with their
timelines, verify a fix."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, Response

from services.console.adapters.platform import ApiError
from services.console.api.web import Session, check_csrf, page, render
from services.console.context import ConsoleContext
from services.console.domain.case_actions import may_verify
from shared.clock import DISTRICT_TIMEZONE
from shared.runtime.app import context_of

router = APIRouter(prefix="/watcher", dependencies=[Depends(check_csrf)], include_in_schema=False)
WATCHER = page("/watcher")
REPORT_FIELDS = ("category", "description", "lat", "lon", "address", "report_id")


@router.get("")
async def watcher_page(
    request: Request, session: Session = Depends(WATCHER), context: ConsoleContext = Depends(context_of)
) -> Response:
    try:
        categories = await context.platform.listing(session.token, "patrol", "/categories")
    except ApiError as error:
        categories, problem = [], str(error)
    else:
        problem = None
    communities = [o for o in context.bundle.organisations if o.kind == "community"]
    return render(
        request,
        "watcher.html",
        session,
        categories=categories,
        communities=communities,
        problem=problem,
    )


@router.get("/duty")
async def duty(
    request: Request, session: Session = Depends(WATCHER), context: ConsoleContext = Depends(context_of)
) -> Response:
    return await _duty(request, session, context)


@router.post("/patrols")
async def start_patrol(
    request: Request,
    lat: Annotated[str, Form()] = "",
    lon: Annotated[str, Form()] = "",
    session: Session = Depends(WATCHER),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    body = {"location": _where(context, session, lat, lon)}
    return await _duty_after(request, session, context, "/me/patrols", body)


@router.post("/patrols/{patrol_id}/end")
async def end_patrol(
    patrol_id: str,
    request: Request,
    lat: Annotated[str, Form()] = "",
    lon: Annotated[str, Form()] = "",
    session: Session = Depends(WATCHER),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    body = {"location": _where(context, session, lat, lon)}
    return await _duty_after(request, session, context, f"/me/patrols/{patrol_id}/end", body)


def _where(context: ConsoleContext, session: Session, lat: str, lon: str) -> dict[str, float]:
    """The phone's location, or the middle of the watcher's community when the phone gives none."""
    try:
        return {"lat": float(lat), "lon": float(lon)}
    except ValueError:
        centre = context.community_centres().get(session.account.community_code or "")
        return {"lat": centre[0], "lon": centre[1]} if centre else {}


async def _duty_after(
    request: Request, session: Session, context: ConsoleContext, path: str, body: dict
) -> Response:
    try:
        await context.platform.call(session.token, "POST", "patrol", path, json=body)
    except ApiError as error:
        return await _duty(request, session, context, problem=error.message)
    return await _duty(request, session, context)


async def _duty(request: Request, session: Session, context: ConsoleContext, **values: Any) -> Response:
    """Today's shifts and the patrol under way, if any."""
    today = datetime.now(DISTRICT_TIMEZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    shifts, patrol = [], None
    try:
        shifts = await context.platform.listing(
            session.token,
            "patrol",
            "/me/shifts",
            **{"from": today.isoformat(), "to": (today + timedelta(days=1)).isoformat()},
        )
        latest = await context.platform.listing(session.token, "patrol", "/me/patrols", limit=1)
        patrol = next((p for p in latest if not p.get("ended_at")), None)
    except ApiError as error:
        values.setdefault("problem", error.message)
    shifts = [shift for shift in shifts if shift.get("status") != "cancelled"]
    return render(request, "watcher_duty.html", session, shifts=shifts, patrol=patrol, **values)


@router.post("/reports")
async def send_report(
    request: Request, session: Session = Depends(WATCHER), context: ConsoleContext = Depends(context_of)
) -> JSONResponse:
    """The phone's report (made now or kept while offline), passed to patrol with the watcher's own token.

    Patrol answers 200 with the same report for a report_id it already has, so a retried upload counts once.
    """
    form = await request.form()
    data = {name: str(form[name]) for name in REPORT_FIELDS if form.get(name)}
    data |= {
        name: value
        for name, value in form.items()
        if name.startswith("attribute[") and isinstance(value, str) and value
    }
    files = [
        ("photos", (upload.filename or "photo.jpg", await upload.read(), upload.content_type or "image/jpeg"))
        for upload in form.getlist("photos")
        if not isinstance(upload, str) and upload.filename
    ]
    try:
        made = await context.platform.call(
            session.token, "POST", "patrol", "/reports", data=data, files=files
        )
    except ApiError as error:
        return JSONResponse({"message": error.message, "errors": error.fields}, status_code=error.status)
    return JSONResponse({"report_id": made["report_id"], "status": made["status"]})


@router.get("/reports")
async def my_reports(
    request: Request, session: Session = Depends(WATCHER), context: ConsoleContext = Depends(context_of)
) -> Response:
    reports = await context.platform.listing(session.token, "patrol", "/me/reports")
    return render(
        request,
        "watcher_reports.html",
        session,
        reports=await _numbered(session, context, reports),
        may_verify=may_verify,
    )


async def _numbered(session: Session, context: ConsoleContext, reports: list[dict]) -> list[dict]:
    """Each report with the number of the case it is in, where the person may read that case."""
    numbers = await context.platform.case_numbers(
        session.token, {report["case_id"] for report in reports if report.get("case_id")}
    )
    return [report | {"case_number": numbers.get(report.get("case_id") or "")} for report in reports]


@router.get("/reports/{report_id}")
async def one_report(
    report_id: UUID,
    request: Request,
    session: Session = Depends(WATCHER),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    return await _report_fragment(request, session, context, report_id)


@router.post("/reports/{report_id}/verify")
async def verify(
    report_id: UUID,
    request: Request,
    session: Session = Depends(WATCHER),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    report = await context.platform.call(session.token, "GET", "patrol", f"/reports/{report_id}")
    problem = None
    if may_verify(report):
        try:
            await context.platform.call(
                session.token, "POST", "dispatch", f"/cases/{report['case_id']}/verify"
            )
        except ApiError as error:
            problem = error.message
    return await _report_fragment(
        request, session, context, report_id, problem=problem, verified=problem is None
    )


async def _report_fragment(
    request: Request, session: Session, context: ConsoleContext, report_id: UUID, **values: Any
) -> Response:
    try:
        report = await context.platform.call(session.token, "GET", "patrol", f"/reports/{report_id}")
    except ApiError as error:
        return render(request, "problem.html", session, status_code=error.status, problem=error.message)
    [report] = await _numbered(session, context, [report])
    return render(request, "watcher_report.html", session, report=report, may_verify=may_verify, **values)
