"""A community worker whose token names a community manages that community's watchers and shifts only."""

from __future__ import annotations

from fastapi import HTTPException, status

from shared.auth import Principal


def community_scope(principal: Principal) -> str | None:
    """The community the caller is limited to; None for dispatchers, admins and district-wide workers."""
    if principal.has_any("dispatcher"):
        return None
    return principal.community_code


def ensure_in_scope(principal: Principal, community_code: str, field: str = "community_code") -> None:
    scope = community_scope(principal)
    if scope is not None and community_code != scope:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail={
                "field": field,
                "message": f"this token manages community {scope} only, not {community_code}",
            },
        )


def narrowed(principal: Principal, community_code: str | None) -> str | None:
    """The community filter of a list: a limited caller sees their own community whatever they ask."""
    scope = community_scope(principal)
    if scope is not None:
        ensure_in_scope(principal, community_code or scope)
        return scope
    return community_code
