"""The watcher's phone: snap and report, my reports with their timelines, verify a fix."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from services.console.adapters.platform import ApiError
from services.console.api.web import Session, check_csrf, page, render
from services.console.context import ConsoleContext
from services.console.domain.case_actions import may_verify
from shared.runtime.app import context_of

router = APIRouter(prefix="/watcher", dependencies=[Depends(check_csrf)], include_in_schema=False)
WATCHER = page("/watcher")
REPORT_FIELDS = ("category", "description", "lat", "lon", "address", "report_id")


@router.get("")
async def watcher_page(
    request: Request, session: Session = Depends(WATCHER), context: ConsoleContext = Depends(context_of)
) -> Response:
    try:
        categories = await context.platform.call(session.token, "GET", "patrol", "/categories")
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
    reports = (await context.platform.call(session.token, "GET", "patrol", "/me/reports"))["items"]
    return render(request, "watcher_reports.html", session, reports=reports, may_verify=may_verify)


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
    return render(request, "watcher_report.html", session, report=report, may_verify=may_verify, **values)
