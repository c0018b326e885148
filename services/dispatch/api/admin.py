"""Admin endpoints: units, routing rules and unit members, every change audited (who, when, before, after)."""

from __future__ import annotations

import asyncpg
from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from services.dispatch.api.models import ReferenceChange, StoredRule, Unit
from services.dispatch.context import DispatchContext
from services.dispatch.handlers import reference, reference_queries
from shared.auth import Principal, require
from shared.http.contract import answers
from shared.http.pages import Page, PageRequest, paging
from shared.reference import RoutingRule, UnitKind
from shared.runtime.app import context_of, pool_of

router = APIRouter(prefix="/admin", tags=["admin"])
ADMIN = require("admin")


class UnitBody(BaseModel):
    kind: UnitKind
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    street_code: str | None = None
    community_code: str | None = None
    active: bool = True
    routing_default: bool = Field(
        False,
        description="Routing picks this unit where several of its kind could be meant in its place (at most one "
        "per kind and place); otherwise only when it is the only one.",
    )


@router.get("/units", summary="Units (filter by kind, street, community), by id")
async def list_units(
    kind: UnitKind | None = None,
    street_code: str | None = None,
    community_code: str | None = None,
    page: PageRequest = Depends(paging(100)),
    _: Principal = Depends(require("admin", "dispatcher")),
    pool: asyncpg.Pool = Depends(pool_of),
) -> Page[Unit]:
    async with pool.acquire() as conn:
        items, total = await reference_queries.units(
            conn,
            kind=kind,
            street_code=street_code,
            community_code=community_code,
            limit=page.limit,
            offset=page.offset,
        )
    return page.of(items, total)


@router.put("/units/{unit_id}", summary="Create or change a unit", responses=answers(409))
async def put_unit(
    unit_id: str,
    body: UnitBody,
    principal: Principal = Depends(ADMIN),
    pool: asyncpg.Pool = Depends(pool_of),
    context: DispatchContext = Depends(context_of),
) -> Unit:
    async with reference.changing_reference(pool, context) as conn:
        return await reference.save_unit(
            conn, {"id": unit_id, **body.model_dump()}, by=principal.subject, at=context.clock.now()
        )


@router.get("/routing-rules", summary="Routing rules, in evaluation order within each scope")
async def list_rules(
    page: PageRequest = Depends(paging(100)),
    _: Principal = Depends(require("admin", "dispatcher")),
    pool: asyncpg.Pool = Depends(pool_of),
) -> Page[StoredRule]:
    async with pool.acquire() as conn:
        items, total = await reference_queries.routing_rules(conn, limit=page.limit, offset=page.offset)
    return page.of(items, total)


@router.post("/routing-rules", status_code=201, summary="Add a routing rule", responses=answers(409))
async def create_rule(
    body: RoutingRule,
    principal: Principal = Depends(ADMIN),
    pool: asyncpg.Pool = Depends(pool_of),
    context: DispatchContext = Depends(context_of),
) -> StoredRule:
    async with reference.changing_reference(pool, context) as conn:
        return await reference.create_rule(conn, body, by=principal.subject, at=context.clock.now())


@router.put("/routing-rules/{rule_id}", summary="Change a routing rule")
async def update_rule(
    rule_id: int,
    body: RoutingRule,
    principal: Principal = Depends(ADMIN),
    pool: asyncpg.Pool = Depends(pool_of),
    context: DispatchContext = Depends(context_of),
) -> StoredRule:
    async with reference.changing_reference(pool, context) as conn:
        return await reference.update_rule(conn, rule_id, body, by=principal.subject, at=context.clock.now())


@router.delete("/routing-rules/{rule_id}", status_code=204, summary="Remove a routing rule")
async def delete_rule(
    rule_id: int,
    principal: Principal = Depends(ADMIN),
    pool: asyncpg.Pool = Depends(pool_of),
    context: DispatchContext = Depends(context_of),
) -> Response:
    async with reference.changing_reference(pool, context) as conn:
        await reference.delete_rule(conn, rule_id, by=principal.subject, at=context.clock.now())
    return Response(status_code=204)


@router.put("/units/{unit_id}/members/{person_id}", status_code=204, summary="The person works for the unit")
async def add_member(
    unit_id: str,
    person_id: str,
    principal: Principal = Depends(ADMIN),
    pool: asyncpg.Pool = Depends(pool_of),
    context: DispatchContext = Depends(context_of),
) -> Response:
    async with pool.acquire() as conn, conn.transaction():
        await reference.set_member(
            conn, unit_id, person_id, True, by=principal.subject, at=context.clock.now()
        )
    return Response(status_code=204)


@router.delete("/units/{unit_id}/members/{person_id}", status_code=204, summary="The person leaves the unit")
async def remove_member(
    unit_id: str,
    person_id: str,
    principal: Principal = Depends(ADMIN),
    pool: asyncpg.Pool = Depends(pool_of),
    context: DispatchContext = Depends(context_of),
) -> Response:
    async with pool.acquire() as conn, conn.transaction():
        await reference.set_member(
            conn, unit_id, person_id, False, by=principal.subject, at=context.clock.now()
        )
    return Response(status_code=204)


@router.get("/changes", summary="The audit of reference changes, newest first")
async def changes(
    entity: str | None = Query(None, pattern="^(bundle|unit|rule|member)$"),
    page: PageRequest = Depends(paging(100)),
    _: Principal = Depends(ADMIN),
    pool: asyncpg.Pool = Depends(pool_of),
) -> Page[ReferenceChange]:
    async with pool.acquire() as conn:
        items, total = await reference_queries.changes(
            conn, entity=entity, limit=page.limit, offset=page.offset
        )
    return page.of(items, total)
