"""Open311 GeoReport v2 under /open311/v2/, in JSON and XML, by the specification's names and rules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from fastapi import APIRouter, Depends, Form, Request, Response

from services.patrol.context import PatrolContext
from services.patrol.domain import open311 as spec
from services.patrol.handlers import reports_open311 as handlers
from shared.runtime.app import ServiceHandle, context_of, pool_of, service_of

router = APIRouter(prefix="/open311/v2", tags=["open311"])
_DOC = (
    "`format` is `json` or `xml`. Errors answer the spec's list of {code, description} with 400, 403 or 404."
)
_XML = {"schema": {"type": "string", "description": "The same document in the specification's XML."}}
_ERRORS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}


def _objects(*names: str, one: bool = False) -> dict[str, Any]:
    """The JSON schema of the specification's documents: objects with these members (more may follow)."""
    item = {"type": "object", "properties": {name: {} for name in names}}
    return item if one else {"type": "array", "items": item}


def _answers(schema: dict[str, Any], ok: int = 200) -> dict[int | str, dict[str, Any]]:
    """The specification's answers: the document in JSON or XML, or its list of errors (not problem details)."""
    errors = {"application/json": {"schema": _ERRORS}, "text/xml": _XML}
    return {
        ok: {
            "description": "The document",
            "content": {"application/json": {"schema": schema}, "text/xml": _XML},
        },
        400: {"description": "A parameter is wrong (the spec's errors).", "content": errors},
        403: {"description": "No valid api_key (the spec's errors).", "content": errors},
        404: {"description": "No such thing, or a format that is not json or xml.", "content": errors},
    }


_REQUEST = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)


async def _answer(fmt: str, root: str, produce: Callable[[], Awaitable[Any]], ok: int = 200) -> Response:
    if fmt not in spec.FORMATS:
        body, media = spec.render(
            spec.Open311Error(404, f"format: {fmt!r} is not json or xml").body(), "errors", "json"
        )
        return Response(body, status_code=404, media_type=media)
    try:
        document, status = await produce(), ok
    except spec.Open311Error as error:
        document, root, status = error.body(), "errors", error.http_status
    body, media = spec.render(document, root, fmt)
    return Response(body, status_code=status, media_type=media)


@router.get(
    "/discovery.{format}",
    summary="Discovery: where the endpoint is and what it speaks",
    description=_DOC,
    responses=_answers(_objects("changeset", "contact", "key_service", "endpoints", one=True)),
)
async def discovery(format: str, request: Request, context: PatrolContext = Depends(context_of)) -> Response:
    base = context.settings.public_base_url.rstrip("/")

    async def produce() -> dict[str, Any]:
        return {
            "changeset": spec.CHANGESET,
            "contact": context.settings.open311_contact,
            "key_service": f"{base}/docs#/open311/create_key_open311_keys_post",
            "endpoints": [
                {
                    "specification": spec.SPECIFICATION,
                    "url": f"{base}/open311/v2",
                    "changeset": spec.CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        }

    return await _answer(format, "discovery", produce)


@router.get(
    "/services.{format}",
    summary="Service list: the hazard categories",
    description=_DOC,
    responses=_answers(
        _objects("service_code", "service_name", "description", "metadata", "type", "keywords", "group")
    ),
)
async def services(
    format: str, pool: asyncpg.Pool = Depends(pool_of), context: PatrolContext = Depends(context_of)
) -> Response:
    async def produce() -> list[dict[str, Any]]:
        async with pool.acquire() as conn:
            return await handlers.services(conn, context)

    return await _answer(format, "services", produce)


@router.get(
    "/services/{service_code}.{format}",
    summary="Service definition: a category's attributes",
    description=_DOC,
    responses=_answers(_objects("service_code", "attributes", one=True)),
)
async def service_definition(
    service_code: str,
    format: str,
    pool: asyncpg.Pool = Depends(pool_of),
    context: PatrolContext = Depends(context_of),
) -> Response:
    async def produce() -> dict[str, Any]:
        async with pool.acquire() as conn:
            return await handlers.service_definition(conn, context, service_code)

    return await _answer(format, "service_definition", produce)


@router.post(
    "/requests.{format}",
    summary="Submit a service request (form-encoded, with api_key)",
    description=_DOC,
    responses=_answers(_objects("service_request_id", "token", "service_notice", "account_id")),
)
async def submit(
    format: str,
    request: Request,
    api_key: str | None = Form(None),
    service_code: str | None = Form(None),
    lat: str | None = Form(None),
    long: str | None = Form(None),
    address_string: str | None = Form(None),
    address_id: str | None = Form(None),
    description: str | None = Form(None, description="Up to 4,000 characters."),
    media_url: str | None = Form(None),
    email: str | None = Form(None),
    phone: str | None = Form(None),
    first_name: str | None = Form(None),
    last_name: str | None = Form(None),
    device_id: str | None = Form(None),
    account_id: str | None = Form(None),
    service: ServiceHandle = Depends(service_of),
) -> Response:
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    multi = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}

    async def produce() -> list[dict[str, Any]]:
        submitted = handlers.ServiceRequest(
            api_key=api_key or request.query_params.get("api_key"),
            service_code=service_code,
            description=description,
            lat=spec.parse_float("lat", lat),
            long=spec.parse_float("long", long),
            address_string=(address_string or "").strip() or None,
            address_id=(address_id or "").strip() or None,
            media_url=media_url or None,
            attributes=spec.attributes_from(fields, multi),
            email=email or None,
            phone=phone or None,
            first_name=first_name or None,
            last_name=last_name or None,
            device_id=device_id or None,
            account_id=account_id or None,
        )
        async with service.unit_of_work() as uow:
            return [await handlers.submit(uow, submitted)]

    return await _answer(format, "service_requests", produce)


@router.get(
    "/requests.{format}",
    summary="Search service requests (90 days, 1,000 at most)",
    description=_DOC,
    responses=_answers(_objects(*_REQUEST)),
)
async def search(
    format: str,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
    pool: asyncpg.Pool = Depends(pool_of),
    context: PatrolContext = Depends(context_of),
) -> Response:
    async def produce() -> list[dict[str, Any]]:
        window = spec.search_window(
            spec.parse_datetime("start_date", start_date),
            spec.parse_datetime("end_date", end_date),
            context.clock.now(),
        )
        open_only = spec.parse_statuses(status)
        async with pool.acquire() as conn:
            return await handlers.search(
                conn,
                context,
                ids=spec.parse_list(service_request_id),
                codes=spec.parse_list(service_code),
                window=window,
                open_only=open_only,
            )

    return await _answer(format, "service_requests", produce)


@router.get(
    "/requests/{service_request_id}.{format}",
    summary="One service request (an array of one)",
    description=_DOC,
    responses=_answers(_objects(*_REQUEST)),
)
async def one(
    service_request_id: str,
    format: str,
    pool: asyncpg.Pool = Depends(pool_of),
    context: PatrolContext = Depends(context_of),
) -> Response:
    async def produce() -> list[dict[str, Any]]:
        async with pool.acquire() as conn:
            return await handlers.one(conn, context, service_request_id)

    return await _answer(format, "service_requests", produce)


@router.get(
    "/servicerequestupdates.{format}",
    summary="Updates of service requests in a window (mySociety's extension, as FixMyStreet reads it)",
    description=_DOC,
    responses=_answers(
        _objects("update_id", "service_request_id", "status", "updated_datetime", "description", "media_url")
    ),
)
async def request_updates(
    format: str,
    start_date: str | None = None,
    end_date: str | None = None,
    pool: asyncpg.Pool = Depends(pool_of),
    context: PatrolContext = Depends(context_of),
) -> Response:
    async def produce() -> list[dict[str, Any]]:
        window = spec.search_window(
            spec.parse_datetime("start_date", start_date),
            spec.parse_datetime("end_date", end_date),
            context.clock.now(),
        )
        async with pool.acquire() as conn:
            return await handlers.updates(conn, window)

    return await _answer(format, "service_request_updates", produce)


@router.get(
    "/tokens/{token}.{format}",
    summary="The request id a token stands for",
    description=_DOC,
    responses=_answers(_objects("service_request_id", "token")),
)
async def token(token: str, format: str, pool: asyncpg.Pool = Depends(pool_of)) -> Response:
    async def produce() -> list[dict[str, Any]]:
        async with pool.acquire() as conn:
            return await handlers.token(conn, token)

    return await _answer(format, "service_requests", produce)
