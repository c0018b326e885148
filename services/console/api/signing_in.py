"""Signing in and out, and the language switch."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

import asyncpg
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api.web import (
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    Session,
    check_csrf,
    render,
    session_of,
    set_cookie,
)
from services.console.context import ConsoleContext
from services.console.domain.messages import LANGUAGES
from services.console.domain.pages import home
from services.console.handlers.accounts import authenticate
from shared.auth import issue_token
from shared.runtime.app import context_of, pool_of

router = APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)


@router.get("/")
async def start(session: Session = Depends(session_of)) -> RedirectResponse:
    return RedirectResponse(home(session.account.roles), status_code=303)


@router.get("/login")
async def login_page(request: Request) -> Response:
    return render(request, "login.html")


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1000)],
    pool: asyncpg.Pool = Depends(pool_of),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    async with pool.acquire() as conn:
        account = await authenticate(conn, username.strip(), password)
    if account is None:
        # One answer for an unknown user, a wrong password and a switched-off account, after a pause.
        await asyncio.sleep(context.settings.login_failure_delay_seconds)
        return render(request, "login.html", status_code=401, failed=True, username=username)
    lifetime = timedelta(hours=context.settings.session_hours)
    token = issue_token(
        context.settings.auth_secret,
        account.username,
        list(account.roles),
        lifetime=lifetime,
        community_code=account.community_code,
        street_code=account.street_code,
        unit_ids=[account.unit_id] if account.unit_id else [],
    )
    response = RedirectResponse(home(account.roles), status_code=303)
    set_cookie(response, context, SESSION_COOKIE, token, int(lifetime.total_seconds()))
    return response


@router.post("/logout")
async def logout(context: ConsoleContext = Depends(context_of)) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=context.settings.secure_cookies
    )
    return response


@router.get("/lang/{code}")
async def switch_language(
    code: str, request: Request, context: ConsoleContext = Depends(context_of)
) -> Response:
    response = RedirectResponse(back_to(request.headers.get("referer")), status_code=303)
    if code in LANGUAGES:
        set_cookie(response, context, LANGUAGE_COOKIE, code, 365 * 86400)
    return response


def back_to(referer: str | None) -> str:
    """The page the switch was clicked on, as a path of this site (never another site's address)."""
    if not referer:
        return "/"
    page = urlsplit(referer)
    path = page.path if page.path.startswith("/") and not page.path.startswith("//") else "/"
    return f"{path}?{page.query}" if page.query else path
