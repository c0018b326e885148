"""Open311 GeoReport v2 over the report catalogue and the reports: keys, services, requests, tokens.

Only hazard categories are offered and listed: a resident's need (elderly care, disability support) is personal
and stays out of a public feed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from services.patrol.context import PatrolContext
from services.patrol.domain.open311 import (
    MAX_RESULTS,
    UPDATE_STATUS,
    Open311Error,
    Window,
    bad_request,
    update_id,
    w3c,
)
from services.patrol.domain.reports import ReportDraft, Reporter, ReportRejected
from services.patrol.handlers import reports as commands
from services.patrol.handlers.reference import ensure_reference
from services.patrol.handlers.reports_open311_keys import key_id_of
from services.patrol.handlers.reports_queries import ReportView, Search, find_reports
from services.patrol.handlers.status import unit_name
from shared.contacts import ContactPoint, Contacts, seal
from shared.unit_of_work import UnitOfWork

SERVICE_NOTICE = "已受理，将派给责任单位处理"
# Our field names, as Open311 calls them.
_FIELD_NAMES = {
    "lon": "long",
    "address": "address_string",
    "category": "service_code",
    "kind": "service_code",
}


async def services(conn: asyncpg.Connection, context: PatrolContext) -> list[dict[str, Any]]:
    await ensure_reference(conn, context.bundle, context.reference_loaded)
    rows = await conn.fetch(
        """SELECT code, group_code, name_zh, name_en, keywords, attributes FROM categories
            WHERE active AND kind = 'hazard' ORDER BY position"""
    )
    return [
        {
            "service_code": row["code"],
            "service_name": row["name_zh"],
            "description": row["name_en"],
            "metadata": bool(row["attributes"]),
            "type": "realtime",
            "keywords": ",".join(row["keywords"]),
            "group": row["group_code"],
        }
        for row in rows
    ]


async def service_definition(conn: asyncpg.Connection, context: PatrolContext, code: str) -> dict[str, Any]:
    await ensure_reference(conn, context.bundle, context.reference_loaded)
    attributes = await conn.fetchval(
        "SELECT attributes FROM categories WHERE code = $1 AND active AND kind = 'hazard'", code
    )
    if attributes is None:
        raise Open311Error(404, f"service_code: no service {code!r}")
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": attribute["code"],
                "datatype": attribute["datatype"],
                "required": attribute["required"],
                "datatype_description": None,
                "order": order,
                "description": attribute["description"],
                "values": [{"key": v["key"], "name": v["name"]} for v in attribute["values"]],
            }
            for order, attribute in enumerate(attributes, start=1)
        ],
    }


@dataclass(frozen=True)
class ServiceRequest:
    api_key: str | None
    service_code: str | None
    description: str | None
    lat: float | None
    long: float | None
    address_string: str | None
    address_id: str | None
    media_url: str | None
    attributes: dict[str, str]
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    device_id: str | None = None
    account_id: str | None = None


async def submit(uow: UnitOfWork, request: ServiceRequest) -> dict[str, Any]:
    """POST requests: the spec's checks, then the same command as the app's, in the caller's transaction."""
    context: PatrolContext = uow.context
    key_id = await key_id_of(uow.conn, request.api_key)
    _check(request, context)
    category = next((c for c in context.bundle.categories if c.code == request.service_code), None)
    if category is None or category.kind != "hazard":
        raise Open311Error(404, f"service_code: no service {request.service_code!r}")
    draft = ReportDraft(
        category=category.code,
        description=(request.description or "").strip() or category.name_zh,
        lat=request.lat,
        lon=request.long,
        address=request.address_string,
        address_id=request.address_id,
        attributes=request.attributes,
    )
    new = commands.NewReport(
        draft, Reporter("open311", key_id, None), media_url=request.media_url, channel="open311"
    )
    try:
        made = await commands.create_report(uow, new)
    except ReportRejected as error:
        if error.field == "lat" and request.lat is None:  # no point, and the address named no community
            raise bad_request(
                "address_string: names no community of the district; send lat and long, or an address_id"
            ) from None
        raise bad_request(f"{_FIELD_NAMES.get(error.field, error.field)}: {error.reason}") from None
    token = secrets.token_urlsafe(12)
    await uow.conn.execute(
        """INSERT INTO open311_requests (report_id, token, key_id, service_code, requester_name, sealed_contacts,
                                         device_id, account_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        made.report_id,
        token,
        key_id,
        category.code,
        " ".join(part for part in (request.first_name, request.last_name) if part) or None,
        _sealed_contacts(request, context),
        request.device_id,
        request.account_id,
    )
    return {
        "service_request_id": str(made.report_id),
        "token": token,
        "service_notice": SERVICE_NOTICE,
        "account_id": request.account_id,
    }


def _check(request: ServiceRequest, context: PatrolContext) -> None:
    if not request.service_code:
        raise bad_request("service_code: is required")
    has_point = request.lat is not None and request.long is not None
    if (request.lat is None) != (request.long is None):
        raise bad_request("lat, long: give both, or use address_string or address_id")
    if not (has_point or request.address_string or request.address_id):
        raise bad_request("lat/long, address_string or address_id: one location is required")
    if request.description and len(request.description) > 4000:
        raise bad_request("description: at most 4000 characters")
    if request.media_url and (
        not request.media_url.startswith(("http://", "https://")) or len(request.media_url) > 2000
    ):
        raise bad_request("media_url: must be an http or https URL of at most 2000 characters")
    for name in ("email", "phone", "first_name", "last_name", "device_id", "account_id"):
        value = getattr(request, name)
        if value is not None and len(value) > 200:
            raise bad_request(f"{name}: at most 200 characters")
    if request.email and "@" not in request.email:
        raise bad_request("email: is not an e-mail address")


def _sealed_contacts(request: ServiceRequest, context: PatrolContext) -> str | None:
    points = []
    if request.email:
        points.append(ContactPoint(channel="email", address=request.email))
    if request.phone:
        points.append(ContactPoint(channel="sms", address=request.phone))
    return seal(Contacts(points=points), context.settings.contact_seal_key) if points else None


async def search(
    conn: asyncpg.Connection,
    context: PatrolContext,
    *,
    ids: list[str] | None,
    codes: list[str] | None,
    window: Window,
    open_only: bool | None,
) -> list[dict[str, Any]]:
    """GET requests: by id (other filters ignored, as the spec says), else by code, window and status."""
    if ids is not None:
        report_ids = [_report_id(raw) for raw in ids]
        query = Search(report_ids=report_ids, kind="hazard", limit=MAX_RESULTS)
    else:
        query = Search(
            categories=codes,
            reported_from=window.start,
            reported_until=window.end,
            open=open_only,
            kind="hazard",
            limit=MAX_RESULTS,
        )
    views = await find_reports(conn, context, query)
    return [_request(view, context) for view in views]


async def one(conn: asyncpg.Connection, context: PatrolContext, raw_id: str) -> list[dict[str, Any]]:
    views = await find_reports(conn, context, Search(report_ids=[_report_id(raw_id, status=404)], limit=1))
    if not views or views[0].row["kind"] != "hazard":
        raise Open311Error(404, f"service_request_id: no request {raw_id!r}")
    return [_request(views[0], context)]


async def token(conn: asyncpg.Connection, raw_token: str) -> list[dict[str, Any]]:
    report_id = await conn.fetchval("SELECT report_id FROM open311_requests WHERE token = $1", raw_token)
    if report_id is None:
        raise Open311Error(404, f"token: no request with token {raw_token!r}")
    return [{"service_request_id": str(report_id), "token": raw_token}]


def _report_id(raw: str, status: int = 400) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise Open311Error(status, f"service_request_id: {raw!r} is not a request id") from None


def _request(view: ReportView, context: PatrolContext) -> dict[str, Any]:
    row, public = view.row, view.status
    category = next((c for c in context.bundle.categories if c.code == row["category"]), None)
    media = view.photo_urls[0] if view.photo_urls else row["media_url"]
    return {
        "service_request_id": str(row["report_id"]),
        "status": "open" if public.is_open else "closed",
        "status_notes": public.note,
        "service_name": category.name_zh if category else row["category"],
        "service_code": row["category"],
        "description": row["description"],
        "agency_responsible": unit_name(context, public.unit_id) if public.unit_id else None,
        "service_notice": SERVICE_NOTICE,
        "requested_datetime": w3c(row["reported_at"]),
        "updated_datetime": w3c(public.updated_at),
        "expected_datetime": w3c(public.deadline),
        "address": row["address"],
        "address_id": row["address_id"],
        "zipcode": None,
        "lat": row["lat"],
        "long": row["lon"],
        "media_url": media,
    }


async def updates(conn: asyncpg.Connection, window: Window) -> list[dict[str, Any]]:
    """Every step of a public request's case within the window, oldest first (mySociety's extension)."""
    rows = await conn.fetch(
        """SELECT t.report_id, t.event_type, t.occurred_at, t.status, t.note
             FROM report_timeline t JOIN reports r ON r.report_id = t.report_id
            WHERE r.kind = 'hazard' AND t.status <> 'submitted'
              AND t.occurred_at >= $1 AND t.occurred_at <= $2
            ORDER BY t.occurred_at, t.report_id, t.precedence
            LIMIT $3""",
        window.start,
        window.end,
        MAX_RESULTS,
    )
    return [
        {
            "update_id": update_id(row["report_id"], row["event_type"], row["occurred_at"]),
            "service_request_id": str(row["report_id"]),
            "status": UPDATE_STATUS.get(row["status"], "open"),
            "updated_datetime": w3c(row["occurred_at"]),
            "description": row["note"],
            "media_url": "",
        }
        for row in rows
    ]
