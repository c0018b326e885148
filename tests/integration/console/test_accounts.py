"""Accounts and signing in: argon2 hashes, one answer for every failure, the cookie's flags, forgery refused."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

from services.console.handlers import accounts
from tests.integration.console.conftest import PASSWORD, csrf_of, make_account, sign_in


async def test_a_password_is_kept_as_an_argon2id_hash_and_checked_against_it(console_pool):
    await make_account(console_pool, "oldma", "watcher", community_code="WG-TJ")
    stored = await console_pool.fetchval("SELECT password_hash FROM accounts WHERE username = 'oldma'")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    async with console_pool.acquire() as conn:
        assert (await accounts.authenticate(conn, "oldma", PASSWORD)).roles == ("watcher",)
        assert await accounts.authenticate(conn, "oldma", "wrong password") is None


async def test_an_account_lacking_what_its_role_needs_is_refused_naming_the_field(console_pool):
    async with console_pool.acquire() as conn:
        for new, field in [
            (accounts.NewAccount("h1", PASSWORD, "", ("handler",)), "unit_id"),
            (accounts.NewAccount("w1", PASSWORD, "", ("watcher",)), "community_code"),
            (accounts.NewAccount("x", PASSWORD, "", ("admin",)), "username"),
            (accounts.NewAccount("short", "1234", "", ("admin",)), "password"),
            (accounts.NewAccount("svc", PASSWORD, "", ("service",)), "roles"),
        ]:
            try:
                await accounts.create(conn, new)
            except accounts.AccountRejected as error:
                assert error.field == field
            else:
                raise AssertionError(f"{new.username} was accepted")


async def test_signing_in_sets_an_httponly_strict_cookie_holding_the_platforms_token(console, console_pool):
    await make_account(console_pool, "desk1", "dispatcher")
    answer = await sign_in(console, "desk1")
    assert answer.status_code == 303 and answer.headers["location"] == "/desk"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("console_session="))
    flags = cookie.lower()
    assert "httponly" in flags and "samesite=strict" in flags and "path=/" in flags
    assert "secure" not in flags  # the console's public URL is http here
    assert (await console.get("/desk")).status_code == 200


async def test_a_wrong_password_an_unknown_user_and_a_switched_off_account_get_one_answer(
    console, console_pool
):
    await make_account(console_pool, "oldma", "watcher", community_code="WG-TJ")
    await make_account(console_pool, "gone", "watcher", community_code="WG-TJ")
    async with console_pool.acquire() as conn:
        await accounts.set_active(conn, "gone", False)
    answers = []
    for username, password in [("oldma", "not his password"), ("nobody", PASSWORD), ("gone", PASSWORD)]:
        began = time.monotonic()
        answer = await sign_in(console, username, password)
        answers.append((answer.status_code, answer.text.replace(username, "")))
        assert time.monotonic() - began >= 0.2, "a failed sign-in answers after a pause"
        assert "console_session" not in answer.headers.get("set-cookie", "")
    assert answers[0][0] == 401 and answers[0] == answers[1] == answers[2]


async def test_a_switched_off_account_loses_its_session_at_once(console, console_pool):
    await make_account(console_pool, "desk1", "dispatcher")
    await sign_in(console, "desk1")
    async with console_pool.acquire() as conn:
        await accounts.set_active(conn, "desk1", False)
    answer = await console.get("/desk")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


async def test_a_post_without_the_forms_token_is_refused(console, console_pool):
    await make_account(console_pool, "admin1", "admin")
    await sign_in(console, "admin1")
    new = {"username": "someone", "password": PASSWORD, "roles": "dispatcher"}
    refused = await console.post("/admin/accounts", data=new)
    assert refused.status_code == 403 and "csrf_token" in refused.text
    forged = await console.post("/admin/accounts", data={**new, "csrf_token": "0" * 64})
    assert forged.status_code == 403
    assert await console_pool.fetchval("SELECT count(*) FROM accounts WHERE username = 'someone'") == 0
    page = await console.get("/admin/accounts")
    made = await console.post("/admin/accounts", data={**new, "csrf_token": csrf_of(page)})
    assert made.status_code == 200, made.text
    assert await console_pool.fetchval("SELECT roles FROM accounts WHERE username = 'someone'") == [
        "dispatcher"
    ]


async def test_signing_in_without_the_forms_token_is_refused(console, console_pool):
    await make_account(console_pool, "desk1", "dispatcher")
    answer = await console.post("/login", data={"username": "desk1", "password": PASSWORD})
    assert answer.status_code == 403


async def test_logout_clears_the_cookie(console, console_pool):
    await make_account(console_pool, "desk1", "dispatcher")
    await sign_in(console, "desk1")
    page = await console.get("/desk")
    answer = await console.post("/logout", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 303
    cleared = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("console_session="))
    assert 'console_session=""' in cleared and "max-age=0" in cleared.lower()
    assert (await console.get("/desk")).status_code == 303


async def test_a_page_refuses_a_role_it_is_not_for(console, console_pool):
    await make_account(console_pool, "oldma", "watcher", community_code="WG-TJ")
    await sign_in(console, "oldma")
    assert (await console.get("/desk")).status_code == 403
    assert (await console.get("/admin/accounts")).status_code == 403


async def test_the_create_account_command_reads_the_password_from_stdin(infra, console_pool):
    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.console",
        "create-account",
        "--username",
        "admin",
        "--role",
        "admin",
        "--display-name",
        "区管理员",
        env={**os.environ, "DATABASE_URL": infra.database_url("console"), "LOG_LEVEL": "WARNING"},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await command.communicate(f"{PASSWORD}\n".encode())
    assert command.returncode == 0, err.decode()
    assert json.loads(out.decode().strip().splitlines()[-1]) == {"created": "admin", "roles": ["admin"]}
    async with console_pool.acquire() as conn:
        made = await accounts.authenticate(conn, "admin", PASSWORD)
    assert made is not None and made.display_name == "区管理员"
