"""The watchers' own API for reports (JSON, bearer token): report with photos, my reports and their status."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile, status
from pydantic import BaseModel, Field

from services.patrol.api.report_models import Report, ReportSummary
from services.patrol.context import PatrolContext
from services.patrol.domain.photos import MAX_PHOTOS, CleanPhoto, PhotoRejected
from services.patrol.domain.report_status import local_time
from services.patrol.domain.reports import (
    REPORTING_ROLES,
    ReportDraft,
    ReportNotFound,
    may_read,
    reporter_from,
)
from services.patrol.handlers import reports as commands
from services.patrol.handlers.reports_queries import (
    ReportView,
    Search,
    count_reports,
    find_reports,
    get_report,
)
from services.patrol.handlers.status import unit_name
from shared.auth import Principal, require
from shared.clock import DISTRICT_TIMEZONE
from shared.errors import Invalid
from shared.http.pages import Page, PageRequest, paging
from shared.runtime.app import ServiceHandle, context_of, pool_of, service_of
from shared.scope import Scope, scoped

router = APIRouter(tags=["reports"])
_REPORTERS = require(*REPORTING_ROLES)


async def read_photos(uploads: list[UploadFile], context: PatrolContext) -> list[CleanPhoto]:
    if len(uploads) > MAX_PHOTOS:
        raise Invalid("photos", f"at most {MAX_PHOTOS} photos; {len(uploads)} were sent")
    return await context.photo_cleaner.clean(uploads)


@router.post(
    "/reports", status_code=status.HTTP_201_CREATED, summary="Report a hazard or a need (随手拍), with photos"
)
async def create_report(
    category: Annotated[str, Form(description="A category code from GET /categories.")],
    description: Annotated[str, Form(max_length=4000)],
    kind: Annotated[Literal["hazard", "need"] | None, Form()] = None,
    severity: Annotated[Literal["low", "normal", "high", "urgent"] | None, Form()] = None,
    lat: Annotated[float | None, Form(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Form(ge=-180, le=180)] = None,
    address: Annotated[str | None, Form(max_length=300)] = None,
    anonymous: Annotated[bool, Form(description="Hide who reported it from everyone but you.")] = False,
    report_id: Annotated[
        UUID | None,
        Form(
            description="Optional, chosen on the device: a retried upload then answers 200 with the same report."
        ),
    ] = None,
    photos: Annotated[list[UploadFile], File(description="Up to 9 JPEG, PNG or WebP photos.")] = [],  # noqa: B006
    *,
    request: Request,
    response: Response,
    principal: Principal = Depends(_REPORTERS),
    service: ServiceHandle = Depends(service_of),
) -> Report:
    cleaned = await read_photos(photos, service.context)
    draft = ReportDraft(
        category, description, kind, severity, lat, lon, address, attributes=await _attributes(request)
    )
    reporter = reporter_from(
        principal.subject, principal.roles, principal.community_code, anonymous=anonymous
    )
    new = commands.NewReport(draft, reporter, cleaned, report_id=report_id)
    async with service.unit_of_work() as uow:
        made = await commands.create_report(uow, new)
    if not made.created:
        response.status_code = status.HTTP_200_OK
    view = made.view
    if view is None:  # made before: as it is now
        async with service.pool.acquire() as conn:
            view = await get_report(conn, service.context, made.report_id)
    assert view is not None
    return render(view, service.context)


async def _attributes(request: Request) -> dict[str, str]:
    """A category's extra fields, sent as `attribute[code]` form fields (as Open311 clients send them)."""
    form = await request.form()
    return {
        key[len("attribute[") : -1]: str(value)
        for key, value in form.items()
        if key.startswith("attribute[") and key.endswith("]") and isinstance(value, str)
    }


@router.get("/me/reports", summary="My reports, newest first, with their status")
async def my_reports(
    page: PageRequest = Depends(paging(50)),
    principal: Principal = Depends(_REPORTERS),
    pool: asyncpg.Pool = Depends(pool_of),
    context: PatrolContext = Depends(context_of),
) -> Page[ReportSummary]:
    async with pool.acquire() as conn:
        views = await find_reports(
            conn, context, Search(submitted_by=principal.subject, limit=page.offset + page.limit)
        )
        total = await count_reports(conn, principal.subject)
    items = [render(view, context, with_history=False) for view in views[page.offset :]]
    return page.of(items, total)


@router.get("/reports/{report_id}", summary="One report with its status and history")
async def one_report(
    report_id: UUID,
    scope: Scope = Depends(scoped()),
    pool: asyncpg.Pool = Depends(pool_of),
    context: PatrolContext = Depends(context_of),
) -> Report:
    async with pool.acquire() as conn:
        view = await get_report(conn, context, report_id)
    row = view.row if view else None
    if view is None or not may_read(scope, row["submitted_by"], row["community_code"], view.status.unit_id):
        raise ReportNotFound(report_id)
    return render(view, context)


class Withdrawal(BaseModel):
    reason: str = Field(min_length=1, max_length=500, examples=["已自行清理"])


@router.post("/reports/{report_id}/withdraw", summary="Withdraw my report before it is dispatched")
async def withdraw_report(
    report_id: UUID,
    body: Withdrawal,
    principal: Principal = Depends(_REPORTERS),
    service: ServiceHandle = Depends(service_of),
) -> Report:
    async with service.unit_of_work() as uow:
        await commands.withdraw_report(uow, report_id, principal.subject, body.reason)
    async with service.pool.acquire() as conn:
        view = await get_report(conn, service.context, report_id)
    assert view is not None
    return render(view, service.context)


def render(view: ReportView, context: PatrolContext, *, with_history: bool = True) -> ReportSummary:
    row, public = view.row, view.status
    rendered: dict[str, Any] = {
        "report_id": str(row["report_id"]),
        "kind": row["kind"],
        "category": row["category"],
        "description": row["description"],
        "location": {"lat": row["lat"], "lon": row["lon"], "address": row["address"]},
        "community_code": row["community_code"],
        "street_code": row["street_code"],
        "grid_code": row["grid_code"],
        "severity": row["severity"],
        "reporter": {"kind": row["reporter_kind"], "id": row["reporter_id"]},
        "photo_urls": view.photo_urls,
        "attributes": dict(row["attributes"] or {}),
        "reported_at": _iso(row["reported_at"]),
        "status": public.status,
        "status_note": public.note,
        "updated_at": _iso(public.updated_at),
        "unit_id": public.unit_id,
        "unit_name": unit_name(context, public.unit_id) if public.unit_id else None,
        "deadline": _iso(public.deadline) if public.deadline else None,
        "deadline_local": local_time(public.deadline) if public.deadline else None,
        # The case the report is in, so the reporter can verify the fix with dispatch.
        "case_id": next((str(e.case_id) for e in reversed(public.history) if e.case_id), None),
    }
    if not with_history:
        return ReportSummary.model_validate(rendered)
    rendered["history"] = [
        {
            "status": entry.status,
            "note": entry.note,
            "at": _iso(entry.occurred_at),
            "event_type": entry.event_type,
            "case_id": str(entry.case_id) if entry.case_id else None,
        }
        for entry in public.history
    ]
    return Report.model_validate(rendered)


def _iso(moment: datetime) -> str:
    return moment.astimezone(DISTRICT_TIMEZONE).isoformat()


class StoredPhoto(BaseModel):
    photo_url: str = Field(description="Where the cleaned photo is served; give it with the resolution.")


@router.post(
    "/photos",
    status_code=status.HTTP_201_CREATED,
    summary="Store one photo, checked and stripped as a report's are: a unit's after-photo for its resolution",
)
async def store_photo(
    photo: Annotated[UploadFile, File(description="One JPEG, PNG or WebP photo.")],
    _: Principal = Depends(require("handler")),
    context: PatrolContext = Depends(context_of),
) -> StoredPhoto:
    try:
        [cleaned] = await read_photos([photo], context)
    except PhotoRejected as error:  # named after the one field this form has, not `photos[0]`
        raise PhotoRejected("photo", error.reason) from None
    await context.photos.put(cleaned.file_name, cleaned.data)
    return StoredPhoto(photo_url=context.photo_url(cleaned.file_name))

