"""Organisations and their secretaries. At start the reference bundle's streets and organisations are loaded."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, FastAPI, status

from services.training.api.common import ANYONE, STAFF_SCOPE, Gate, GateDep
from services.training.api.views import Organisation
from services.training.handlers.organisations import (
    AssignSecretary,
    assign_secretary,
    list_organisations,
    vacate_secretary,
)
from services.training.handlers.reference import load_reference
from shared.auth import require
from shared.scope import Scope
from shared.unit_of_work import unit_of_work


@contextlib.asynccontextmanager
async def _load_reference_at_start(app: FastAPI) -> AsyncIterator[None]:
    context = app.state.context
    if context.settings.load_reference_at_start:
        async with unit_of_work(app.state.pool, app.state.source, context) as uow:
            await load_reference(uow, context.bundle)
    yield


router = APIRouter(tags=["organisations"], lifespan=_load_reference_at_start)


@router.get("/organisations", summary="Communities and villages, with their secretaries and weak areas")
async def organisations(
    street_code: str | None = None, g: Gate = GateDep, _=Depends(require(*ANYONE))
) -> list[Organisation]:
    async with g.query() as conn:
        return await list_organisations(conn, street_code)


@router.put(
    "/organisations/{code}/secretary",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Put a secretary into a vacant post",
)
async def put_secretary(code: str, body: AssignSecretary, g: Gate = GateDep, scope: Scope = STAFF_SCOPE):
    scope.require_community(code, "code")
    async with g.command() as uow:
        await assign_secretary(uow, code, body)


@router.delete(
    "/organisations/{code}/secretary", status_code=status.HTTP_204_NO_CONTENT, summary="Vacate the post"
)
async def delete_secretary(code: str, g: Gate = GateDep, _=Depends(require("admin"))):
    async with g.command() as uow:
        await vacate_secretary(uow, code)
