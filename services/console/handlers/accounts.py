"""Accounts: create one, check a password, change roles or switch one off. Passwords are argon2id hashes."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.console.domain.pages import missing_for
from shared.auth import ROLES

_hasher = PasswordHasher()
# Checked against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("a password nobody has")
USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,64}$")
MIN_PASSWORD = 8


class AccountRejected(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    roles: tuple[str, ...]
    community_code: str | None
    street_code: str | None
    unit_id: str | None
    active: bool


_COLUMNS = "username, display_name, roles, community_code, street_code, unit_id, active"


def _account(row: asyncpg.Record) -> Account:
    fields = {name: row[name] for name in Account.__dataclass_fields__}
    return Account(**{**fields, "roles": tuple(row["roles"])})


@dataclass(frozen=True)
class NewAccount:
    username: str
    password: str
    display_name: str
    roles: tuple[str, ...]
    community_code: str | None = None
    street_code: str | None = None
    unit_id: str | None = None


def check(new: NewAccount) -> None:
    if not USERNAME.match(new.username):
        raise AccountRejected("username", "2 to 64 letters, digits, dots, dashes or underscores")
    if len(new.password) < MIN_PASSWORD:
        raise AccountRejected("password", f"at least {MIN_PASSWORD} characters")
    check_roles(new.roles, new.community_code, new.unit_id)


def check_roles(roles: tuple[str, ...], community_code: str | None, unit_id: str | None) -> None:
    if not roles:
        raise AccountRejected("roles", "give at least one role")
    unknown = sorted(set(roles) - set(ROLES) | ({"service"} & set(roles)))
    if unknown:
        raise AccountRejected("roles", f"unknown roles {unknown}")
    missing = missing_for(roles, {"community_code": community_code, "unit_id": unit_id})
    if missing:
        raise AccountRejected(missing[0], "these roles need it")


async def create(conn: asyncpg.Connection, new: NewAccount) -> Account:
    check(new)
    password_hash = await asyncio.to_thread(_hasher.hash, new.password)
    row = await conn.fetchrow(
        f"""INSERT INTO accounts (username, password_hash, display_name, roles, community_code, street_code,
                                  unit_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (username) DO NOTHING RETURNING {_COLUMNS}""",
        new.username,
        password_hash,
        new.display_name or new.username,
        sorted(set(new.roles)),
        new.community_code or None,
        new.street_code or None,
        new.unit_id or None,
    )
    if row is None:
        raise AccountRejected("username", "taken")
    return _account(row)


async def authenticate(conn: asyncpg.Connection, username: str, password: str) -> Account | None:
    """The active account whose password this is; None for a wrong password, an unknown or inactive user."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS}, password_hash FROM accounts WHERE username = $1", username)
    stored = row["password_hash"] if row is not None else _DUMMY_HASH
    try:
        await asyncio.to_thread(_hasher.verify, stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row["active"]:
        return None
    if _hasher.check_needs_rehash(stored):
        await conn.execute(
            "UPDATE accounts SET password_hash = $2 WHERE username = $1",
            username,
            await asyncio.to_thread(_hasher.hash, password),
        )
    return _account(row)


async def active_account(conn: asyncpg.Connection, username: str) -> Account | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM accounts WHERE username = $1 AND active", username)
    return _account(row) if row else None


async def all_accounts(conn: asyncpg.Connection) -> list[Account]:
    return [_account(row) for row in await conn.fetch(f"SELECT {_COLUMNS} FROM accounts ORDER BY username")]


async def change_roles(
    conn: asyncpg.Connection,
    username: str,
    roles: tuple[str, ...],
    community_code: str | None,
    street_code: str | None,
    unit_id: str | None,
) -> Account:
    check_roles(roles, community_code, unit_id)
    row = await conn.fetchrow(
        f"""UPDATE accounts SET roles = $2, community_code = $3, street_code = $4, unit_id = $5,
                                updated_at = now()
            WHERE username = $1 RETURNING {_COLUMNS}""",
        username,
        sorted(set(roles)),
        community_code or None,
        street_code or None,
        unit_id or None,
    )
    if row is None:
        raise AccountRejected("username", "no such account")
    return _account(row)


async def set_active(conn: asyncpg.Connection, username: str, active: bool) -> Account:
    row = await conn.fetchrow(
        f"UPDATE accounts SET active = $2, updated_at = now() WHERE username = $1 RETURNING {_COLUMNS}",
        username,
        active,
    )
    if row is None:
        raise AccountRejected("username", "no such account")
    return _account(row)
