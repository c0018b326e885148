"""The case endpoints: the dispatcher's board, one case, its timeline, and the actions on it."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from services.dispatch.api.models import CaseDetail, CaseSummary, Transition
from services.dispatch.context import DispatchContext
from services.dispatch.domain.lifecycle import Status
from services.dispatch.handlers import actions, merging, queries
from services.dispatch.handlers.access import visible_case
from shared.auth import Principal, require
from shared.http.contract import answers
from shared.http.pages import Page, PageRequest, paging
from shared.runtime.app import ServiceHandle, context_of, pool_of, service_of
from shared.scope import Scope, scoped

router = APIRouter(prefix="/cases", tags=["cases"])
HANDLER = require("handler")
DISPATCHER = require("dispatcher")
VERIFIER = require("watcher", "resident", "community_worker")
READER = scoped("dispatcher", "handler", "watcher", "community_worker")


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=1000, description="Why (required).")


class Resolution(BaseModel):
    note: str = Field(min_length=1, max_length=2000, examples=["纸箱已清理，已向住户说明消防要求"])
    photo_url: str | None = Field(None, max_length=1000, description="An after-photo, if taken.")


class Reassignment(Reason):
    unit_id: str = Field(min_length=1, description="The unit to send the case to.", examples=["WG-office"])


class Merge(BaseModel):
    into_case_id: UUID = Field(description="The case that keeps going and takes this case's reports.")


class Split(BaseModel):
    report_id: UUID = Field(description="The report to take out into a case of its own.")


@router.get("", summary="The dispatcher's board: cases by deadline, filtered, one page at a time")
async def board(
    status: Status | None = None,
    unit_id: str | None = None,
    community_code: str | None = None,
    street_code: str | None = None,
    category: str | None = Query(None, description="A category code or `prefix.*`."),
    overdue: bool | None = None,
    page: PageRequest = Depends(paging(50)),
    scope: Scope = Depends(scoped("dispatcher")),
    pool: asyncpg.Pool = Depends(pool_of),
    context: DispatchContext = Depends(context_of),
) -> Page[CaseSummary]:
    communities = scope.narrow(community_code)
    where = queries.BoardFilter(status, unit_id, community_code, street_code, category, overdue, communities)
    async with pool.acquire() as conn:
        items, total = await queries.board(
            conn, where, context.clock.now(), limit=page.limit, offset=page.offset
        )
    return page.of(items, total)


@router.get("/{case_id}", summary="One case: its state, deadline and time left, reports, allowed actions")
async def case(
    case_id: UUID,
    scope: Scope = Depends(READER),
    pool: asyncpg.Pool = Depends(pool_of),
    context: DispatchContext = Depends(context_of),
) -> CaseDetail:
    async with pool.acquire() as conn:
        await visible_case(conn, scope, case_id)
        return await queries.case_detail(conn, case_id, context.clock.now())


@router.get("/{case_id}/timeline", summary="Every transition of the case: who, when, from, to, why")
async def timeline(
    case_id: UUID, scope: Scope = Depends(READER), pool: asyncpg.Pool = Depends(pool_of)
) -> list[Transition]:
    async with pool.acquire() as conn:
        await visible_case(conn, scope, case_id)
        return await queries.timeline(conn, case_id)


async def _command(service: ServiceHandle, case_id: UUID, command, *args) -> CaseDetail:
    async with service.unit_of_work() as uow:
        await command(uow, case_id, *args)
    async with service.pool.acquire() as conn:
        return await queries.case_detail(conn, case_id, service.context.clock.now())


@router.post(
    "/{case_id}/accept", summary="The unit takes the case on (dispatch.accepted)", responses=answers(409)
)
async def accept(
    case_id: UUID,
    principal: Principal = Depends(HANDLER),
    service: ServiceHandle = Depends(service_of),
) -> CaseDetail:
    return await _command(service, case_id, actions.accept, principal)


@router.post("/{case_id}/start", summary="The unit starts work on the case", responses=answers(409))
async def start(
    case_id: UUID,
    principal: Principal = Depends(HANDLER),
    service: ServiceHandle = Depends(service_of),
) -> CaseDetail:
    return await _command(service, case_id, actions.start, principal)


@router.post(
    "/{case_id}/resolve",
    summary="The unit says it is fixed, with a note (issue.resolved)",
    responses=answers(409),
)
async def resolve(
    case_id: UUID,
    body: Resolution,
    principal: Principal = Depends(HANDLER),
    service: ServiceHandle = Depends(service_of),
) -> CaseDetail:
    return await _command(service, case_id, actions.resolve, principal, body.note, body.photo_url)


@router.post(
    "/{case_id}/return",
    summary="The unit sends the case back as not its own (dispatch.returned)",
    responses=answers(409),
)
async def return_case(
    case_id: UUID,
    body: Reason,
    principal: Principal = Depends(HANDLER),
    service: ServiceHandle = Depends(service_of),
) -> CaseDetail:
    return await _command(service, case_id, actions.return_case, principal, body.reason)


@router.post(
    "/{case_id}/reassign",
    summary="A dispatcher routes the case to a unit (dispatch.reassigned)",
    responses=answers(409),
)
async def reassign(
    case_id: UUID,
    body: Reassignment,
    principal: Principal = Depends(DISPATCHER),
    service: ServiceHandle = Depends(service_of),
) -> CaseDetail:
    return await _command(service, case_id, actions.reassign, principal, body.unit_id, body.reason)


@router.post(
    "/{case_id}/verify",
    summary="A reporter or watcher confirms the fix (issue.closed)",
    responses=answers(409),
)
async def verify(
    case_id: UUID,
    principal: Principal = Depends(VERIFIER),
    service: ServiceHandle = Depends(service_of),
) -> CaseDetail:
    return await _command(service, case_id, actions.verify, principal)


@router.post(
    "/{case_id}/reopen",
    summary="The fix did not hold: back to the unit (issue.reopened)",
    responses=answers(409),
)
async def reopen(
    case_id: UUID,
    body: Reason,
    principal: Principal = Depends(VERIFIER),
    service: ServiceHandle = Depends(service_of),
) -> CaseDetail:
    return await _command(service, case_id, actions.reopen, principal, body.reason)


@router.post(
    "/{case_id}/merge",
    summary="A dispatcher merges this case into another (hazard.merged)",
    responses=answers(409),
)
async def merge(
    case_id: UUID,
    body: Merge,
    principal: Principal = Depends(DISPATCHER),
    service: ServiceHandle = Depends(service_of),
) -> CaseDetail:
    async with service.unit_of_work() as uow:
        await merging.merge_cases(uow, case_id, body.into_case_id, principal)
    async with service.pool.acquire() as conn:
        return await queries.case_detail(conn, body.into_case_id, service.context.clock.now())


@router.post(
    "/{case_id}/split",
    status_code=201,
    summary="A dispatcher takes a report out into a new case",
    responses=answers(409),
)
async def split(
    case_id: UUID,
    body: Split,
    principal: Principal = Depends(DISPATCHER),
    service: ServiceHandle = Depends(service_of),
) -> CaseDetail:
    async with service.unit_of_work() as uow:
        new_case = await merging.split_report(uow, case_id, body.report_id, principal)
    async with service.pool.acquire() as conn:
        return await queries.case_detail(conn, new_case, service.context.clock.now())
