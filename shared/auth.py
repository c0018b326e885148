"""Bearer tokens for the HTTP APIs: HS256-signed JWTs with a subject, roles and the places the holder works in,
and, when `OIDC_JWKS_URL` is set, RS256/ES256 tokens of an outside OpenID Connect provider (their claims mapped to
ours by `OidcSettings`).

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
from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.concurrency import run_in_threadpool

from shared.errors import Forbidden, Unauthorized

Role = Literal[
    "watcher", "resident", "community_worker", "dispatcher", "handler", "trainer", "admin", "service"
]
ROLES: tuple[str, ...] = get_args(Role)
ISSUER = "grassroots"
_ALGORITHM = "HS256"
# Only asymmetric algorithms for the outside provider: a token naming HS256 is always checked with our own secret,
# never with a public key taken for an HMAC secret.
OIDC_ALGORITHMS = ("RS256", "ES256")


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
    return _principal(
        claims.get("sub"),
        claims.get("roles"),
        community=claims.get("community"),
        street=claims.get("street"),
        units=claims.get("units", []),
    )


def _principal(
    subject: object, roles: object, *, community: object, street: object, units: object
) -> Principal:
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("the subject claim must be a non-empty string")
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise InvalidToken("roles claim must be a list of strings")
    if not isinstance(units, list) or not all(isinstance(unit, str) for unit in units):
        raise InvalidToken("units claim must be a list of strings")
    if not all(value is None or isinstance(value, str) for value in (community, street)):
        raise InvalidToken("community and street claims must be strings")
    return Principal(
        subject=subject,
        roles=frozenset(roles),
        community_code=community,
        street_code=street,
        unit_ids=frozenset(units),
    )


class OidcSettings(BaseSettings):
    """An outside OpenID Connect provider whose tokens the APIs accept beside their own (off without a JWKS URL)."""

    model_config = SettingsConfigDict(env_file=".env", env_prefix="OIDC_", extra="ignore")

    jwks_url: str = Field(
        "", description="The provider's JSON Web Key Set; empty: outside tokens are refused."
    )
    issuer: str = Field(
        "", description="The `iss` the provider's tokens must carry (required with a JWKS URL)."
    )
    audience: str = Field("", description="The `aud` the tokens must name (required with a JWKS URL).")
    subject_claim: str = Field("sub", description="The claim naming the person.")
    roles_claim: str = Field(
        "roles",
        description="The claim listing the person's roles; a dotted path reaches inside an object "
        "(`realm_access.roles`). Roles the platform does not know are ignored.",
    )
    community_claim: str = Field("community", description="The claim with the community code.")
    street_claim: str = Field("street", description="The claim with the street code.")
    units_claim: str = Field("units", description="The claim listing the person's unit ids (or naming one).")
    jwks_cache_seconds: float = Field(300, gt=0, description="How long the fetched key set is kept.")
    refresh_cooldown_seconds: float = Field(
        30, ge=0, description="The least time between two fetches forced by a key id not in the set."
    )
    timeout_seconds: float = Field(5, gt=0, description="Timeout of one fetch of the key set.")

    @property
    def enabled(self) -> bool:
        return bool(self.jwks_url)

    @model_validator(mode="after")
    def _issuer_and_audience_with_a_key_set(self) -> OidcSettings:
        if self.jwks_url and not (self.issuer and self.audience):
            raise ValueError("OIDC_JWKS_URL needs OIDC_ISSUER and OIDC_AUDIENCE")
        return self


class OidcVerifier:
    """Checks a provider's token against its key set (fetched once, kept, fetched again for an unknown key id)."""

    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self.keys = jwt.PyJWKClient(
            settings.jwks_url,
            cache_keys=True,
            lifespan=settings.jwks_cache_seconds,
            cooldown_duration=settings.refresh_cooldown_seconds,
            timeout=settings.timeout_seconds,
        )

    def verify(self, token: str) -> Principal:
        settings = self.settings
        try:
            key = self.keys.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=list(OIDC_ALGORITHMS),
                issuer=settings.issuer,
                audience=settings.audience,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        return self.principal_of(claims)

    def principal_of(self, claims: dict) -> Principal:
        settings = self.settings
        roles = _claim(claims, settings.roles_claim)
        if isinstance(roles, str):
            roles = roles.split()
        units = _claim(claims, settings.units_claim)
        return _principal(
            _claim(claims, settings.subject_claim),
            [role for role in roles or [] if role in ROLES] if isinstance(roles, list) else roles,
            community=_claim(claims, settings.community_claim),
            street=_claim(claims, settings.street_claim),
            units=[units] if isinstance(units, str) else units or [],
        )


def _claim(claims: dict, path: str) -> object:
    value: object = claims
    for name in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def oidc_verifier(app: FastAPI) -> OidcVerifier | None:
    """The app's verifier of outside tokens, made from the environment on first use (None when off)."""
    if not hasattr(app.state, "oidc_verifier"):
        settings = OidcSettings()
        app.state.oidc_verifier = OidcVerifier(settings) if settings.enabled else None
    return app.state.oidc_verifier


def _algorithm_of(token: str) -> str:
    try:
        return str(jwt.get_unverified_header(token).get("alg"))
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from None


_bearer = HTTPBearer(auto_error=False)


async def _authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    if credentials is None:
        raise Unauthorized("a bearer token is required")
    token = credentials.credentials
    try:
        if _algorithm_of(token) not in OIDC_ALGORITHMS:
            return verify_token(request.app.state.auth_secret, token)
        verifier = oidc_verifier(request.app)
        if verifier is None:
            raise InvalidToken("tokens of an outside provider are not accepted here (no OIDC_JWKS_URL)")
        # The key set is fetched with blocking I/O when it is not cached: kept off the event loop.
        return await run_in_threadpool(verifier.verify, token)
    except InvalidToken as error:
        raise Unauthorized(f"invalid bearer token: {error}", 'Bearer error="invalid_token"') from None


def require(*roles: str):
    """A FastAPI dependency: the caller must hold one of `roles` (admins pass every check)."""

    async def dependency(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
    ) -> Principal:
        principal = await _authenticate(request, credentials)
        if roles and not principal.has_any(*roles):
            raise Forbidden(None, f"this needs one of the roles {list(roles)}")
        return principal

    dependency.roles = roles  # type: ignore[attr-defined]  # read by shared.http.contract for the documents
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
