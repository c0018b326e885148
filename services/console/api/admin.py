"""The admin's accounts page: create an account, change its roles, switch it off or on."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from services.console.adapters.platform import ApiError
from services.console.api.web import Session, check_csrf, page, render
from services.console.context import ConsoleContext
from services.console.handlers import accounts
from shared.auth import ROLES
from shared.runtime.app import context_of, pool_of

router = APIRouter(prefix="/admin/accounts", dependencies=[Depends(check_csrf)], include_in_schema=False)
ADMIN = page("/admin/accounts")
ASSIGNABLE_ROLES = [role for role in ROLES if role != "service"]


async def _page(
    request: Request, session: Session, pool: asyncpg.Pool, context: ConsoleContext, **values
) -> Response:
    async with pool.acquire() as conn:
        listed = await accounts.all_accounts(conn)
    return render(
        request,
        "admin_accounts.html",
        session,
        accounts=listed,
        roles=ASSIGNABLE_ROLES,
        communities=[o for o in context.bundle.organisations],
        streets=context.bundle.streets,
        units=context.bundle.units,
        **values,
    )


@router.get("")
async def accounts_page(
    request: Request,
    session: Session = Depends(ADMIN),
    pool: asyncpg.Pool = Depends(pool_of),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    return await _page(request, session, pool, context, form={})


async def _join_unit(
    session: Session, context: ConsoleContext, unit_id: str | None, username: str
) -> str | None:
    """A handler works for the unit in dispatch too (its inbox checks membership): say so with the admin's token."""
    if not unit_id:
        return None
    try:
        await context.platform.call(
            session.token, "PUT", "dispatch", f"/admin/units/{unit_id}/members/{username}"
        )
    except ApiError as error:
        return error.message
    return None


@router.post("")
async def create_account(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    roles: Annotated[list[str], Form()] = [],  # noqa: B006
    community_code: Annotated[str, Form()] = "",
    street_code: Annotated[str, Form()] = "",
    unit_id: Annotated[str, Form()] = "",
    session: Session = Depends(ADMIN),
    pool: asyncpg.Pool = Depends(pool_of),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    form = {
        "username": username,
        "display_name": display_name,
        "roles": roles,
        "community_code": community_code,
        "street_code": street_code,
        "unit_id": unit_id,
    }
    new = accounts.NewAccount(
        username.strip(), password, display_name.strip(), tuple(roles), community_code, street_code, unit_id
    )
    try:
        async with pool.acquire() as conn:
            made = await accounts.create(conn, new)
    except accounts.AccountRejected as error:
        return await _page(
            request, session, pool, context, form=form, errors={error.field: error.reason}, status_code=422
        )
    problem = await _join_unit(
        session, context, made.unit_id if "handler" in made.roles else None, made.username
    )
    return await _page(request, session, pool, context, form={}, created=made.username, problem=problem)


@router.post("/{username}/roles")
async def change_roles(
    username: str,
    request: Request,
    roles: Annotated[list[str], Form()] = [],  # noqa: B006
    community_code: Annotated[str, Form()] = "",
    street_code: Annotated[str, Form()] = "",
    unit_id: Annotated[str, Form()] = "",
    session: Session = Depends(ADMIN),
    pool: asyncpg.Pool = Depends(pool_of),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    try:
        async with pool.acquire() as conn:
            changed = await accounts.change_roles(
                conn, username, tuple(roles), community_code, street_code, unit_id
            )
    except accounts.AccountRejected as error:
        return await _page(
            request,
            session,
            pool,
            context,
            form={},
            errors={f"{username}.{error.field}": error.reason},
            status_code=422,
        )
    problem = await _join_unit(
        session, context, changed.unit_id if "handler" in changed.roles else None, username
    )
    return await _page(request, session, pool, context, form={}, problem=problem)


@router.post("/{username}/active")
async def switch(
    username: str,
    request: Request,
    active: Annotated[bool, Form()] = False,
    session: Session = Depends(ADMIN),
    pool: asyncpg.Pool = Depends(pool_of),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    async with pool.acquire() as conn:
        await accounts.set_active(conn, username, active)
    return await _page(request, session, pool, context, form={})
