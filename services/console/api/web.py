"""What every page shares: templates in the person's language, the signed-in session, the forgery check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.console.context import ConsoleContext
from services.console.domain import csrf
from services.console.domain.calendar import shown
from services.console.domain.messages import LANGUAGES, translate
from services.console.domain.pages import may_see, menu
from services.console.domain.scope import Scope
from services.console.handlers.accounts import Account, active_account
from shared.auth import InvalidToken, verify_token
from shared.runtime.app import context_of, pool_of

SESSION_COOKIE = "console_session"
LANGUAGE_COOKIE = "console_lang"
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")


@dataclass(frozen=True)
class Session:
    account: Account
    token: str  # the platform's bearer token, sent to the four APIs on the person's behalf

    @property
    def scope(self) -> Scope:
        if "admin" in self.account.roles:
            return Scope()
        return Scope(self.account.street_code, self.account.community_code)


def language(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else "zh"


def _sign_in_again(request: Request) -> HTTPException:
    # htmx follows HX-Redirect; a plain request follows the 303.
    return HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": "/login", "HX-Redirect": "/login"})


async def session_of(
    request: Request,
    pool: asyncpg.Pool = Depends(pool_of),
    context: ConsoleContext = Depends(context_of),
) -> Session:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise _sign_in_again(request)
    try:
        principal = verify_token(context.settings.auth_secret, token)
    except InvalidToken:
        raise _sign_in_again(request) from None
    async with pool.acquire() as conn:
        account = await active_account(conn, principal.subject)
    if account is None:  # switched off (or removed) since signing in
        raise _sign_in_again(request)
    return Session(account, token)


def page(path: str):
    """A dependency: the session of someone whose roles may see `path` (403 otherwise)."""

    async def dependency(session: Session = Depends(session_of)) -> Session:
        if not may_see(session.account.roles, path):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"your roles do not include {path}")
        return session

    return dependency


async def check_csrf(request: Request, context: ConsoleContext = Depends(context_of)) -> None:
    """On every POST: the form's hidden token (or htmx's header) matches this browser's seed cookie."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    token = request.headers.get(csrf.HEADER)
    if token is None and "form" in request.headers.get("content-type", ""):
        token = (await request.form()).get(csrf.FIELD)
    if not csrf.is_valid(
        context.settings.auth_secret,
        request.cookies.get(csrf.SEED_COOKIE),
        token if isinstance(token, str) else None,
    ):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="the form's csrf_token is missing or wrong: reload the page"
        )


def set_cookie(response: Any, context: ConsoleContext, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=context.settings.secure_cookies,
        path="/",
    )


def name_of(context: ConsoleContext, lang: str, code: str | None) -> str:
    """A category, community, street or unit by its name in the page's language (its code if unknown)."""
    if not code:
        return ""
    names = context.names()
    pair = names.get(code)
    return (pair[1] if lang == "en" else pair[0]) if pair else code


def render(
    request: Request,
    name: str,
    session: Session | None = None,
    *,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    context: ConsoleContext = request.app.state.context
    seed = request.cookies.get(csrf.SEED_COOKIE)
    fresh_seed = None if seed else csrf.new_seed()
    lang = language(request)
    response = templates.TemplateResponse(
        request,
        name,
        {
            "t": lambda key, **kw: translate(lang, key, **kw),
            "lang": lang,
            "csrf_token": csrf.token_for(context.settings.auth_secret, seed or fresh_seed),
            "csrf_field": csrf.FIELD,
            "session": session,
            "menu": menu(session.account.roles) if session else [],
            "errors": {},
            "name_of": lambda code: name_of(context, lang, code),
            "local": shown,
            **values,
        },
        status_code=status_code,
    )
    if fresh_seed:
        set_cookie(response, context, csrf.SEED_COOKIE, fresh_seed, None)
    return response


def not_found(request: Request, error: HTTPException) -> str:
    """What a person reads for a refused page: a 404 in their language (whoever else's it is stays unsaid)."""
    if error.status_code == status.HTTP_404_NOT_FOUND:
        return translate(language(request), "case.not_found")
    return str(error.detail)
