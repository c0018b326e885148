"""Bearer tokens for the HTTP APIs: HS256-signed JWTs with a subject, roles and the places the holder works in.

    python -m shared.auth --subject w-0001 --role watcher --community WG-TJ --days 30
    python -m shared.auth --subject h-7 --role handler --unit WG-TJ-property

prints a token signed with AUTH_SECRET. Every endpoint depends on `require(...)` (the role) and the routes that
touch a community's or a unit's data on `shared.scope` (the place): the `community`, `street` and `units` claims
say what the holder covers, and a missing claim covers nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

Role = Literal[
    "watcher", "resident", "community_worker", "dispatcher", "handler", "trainer", "admin", "service"
]
ROLES: tuple[str, ...] = get_args(Role)
ISSUER = "grassroots"
_ALGORITHM = "HS256"


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str]
    community_code: str | None = None
    street_code: str | None = None
    unit_ids: frozenset[str] = frozenset()

    def has_any(self, *roles: str) -> bool:
        return "admin" in self.roles or any(role in self.roles for role in roles)


def issue_token(
    secret: str,
    subject: str,
    roles: list[str],
    *,
    lifetime: timedelta = timedelta(days=1),
    community_code: str | None = None,
    street_code: str | None = None,
    unit_ids: list[str] | tuple[str, ...] = (),
    now: datetime | None = None,
) -> str:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValueError(f"unknown roles {unknown}; known roles are {list(ROLES)}")
    issued = now or datetime.now(UTC)
    claims: dict[str, object] = {
        "iss": ISSUER,
        "sub": subject,
        "roles": sorted(set(roles)),
        "iat": issued,
        "exp": issued + lifetime,
    }
    if community_code:
        claims["community"] = community_code
    if street_code:
        claims["street"] = street_code
    if unit_ids:
        claims["units"] = sorted(set(unit_ids))
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


class InvalidToken(Exception):
    pass


def verify_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[_ALGORITHM], issuer=ISSUER, options={"require": ["exp", "sub", "iss"]}
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from None
    roles = claims.get("roles")
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise InvalidToken("roles claim must be a list of strings")
    units = claims.get("units", [])
    if not isinstance(units, list) or not all(isinstance(unit, str) for unit in units):
        raise InvalidToken("units claim must be a list of strings")
    places = {name: claims.get(name) for name in ("community", "street")}
    if not all(value is None or isinstance(value, str) for value in places.values()):
        raise InvalidToken("community and street claims must be strings")
    return Principal(
        subject=str(claims["sub"]),
        roles=frozenset(roles),
        community_code=places["community"],
        street_code=places["street"],
        unit_ids=frozenset(units),
    )


_bearer = HTTPBearer(auto_error=False)


def _authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="a bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        return verify_token(request.app.state.auth_secret, credentials.credentials)
    except InvalidToken as error:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=f"invalid bearer token: {error}",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None


def require(*roles: str):
    """A FastAPI dependency: the caller must hold one of `roles` (admins pass every check)."""

    async def dependency(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
    ) -> Principal:
        principal = _authenticate(request, credentials)
        if roles and not principal.has_any(*roles):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, detail=f"this needs one of the roles {list(roles)}"
            )
        return principal

    return dependency


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.auth", description="Issue a bearer token.")
    parser.add_argument("--subject", required=True, help="the person or system the token speaks for")
    parser.add_argument(
        "--role", action="append", required=True, choices=ROLES, help="repeat for several roles"
    )
    parser.add_argument("--community", help="the community code the holder works in, if any")
    parser.add_argument("--street", help="the street code the holder works in (all its communities), if any")
    parser.add_argument(
        "--unit",
        action="append",
        default=[],
        help="a unit the holder works for (handlers); repeat for several",
    )
    parser.add_argument("--days", type=float, default=1.0, help="lifetime in days (default 1)")
    args = parser.parse_args(argv)
    from shared.settings import ServiceSettings

    secret = os.environ.get("AUTH_SECRET") or ServiceSettings(service_name="auth").auth_secret
    print(
        issue_token(
            secret,
            args.subject,
            args.role,
            lifetime=timedelta(days=args.days),
            community_code=args.community,
            street_code=args.street,
            unit_ids=args.unit,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
