"""Who may see and act on a case, by the one scope rule (`shared.scope`): a case is seen by those whose scope
covers its community or its unit (anyone else gets 404); its unit's handlers act on it; its reporters and the
watchers of its community verify the fix. Admins pass every check."""

from __future__ import annotations

import asyncpg

from services.dispatch.domain.errors import CaseNotFound, NotAllowed
from shared.auth import Principal
from shared.events.catalogue.common import PersonRef
from shared.scope import Scope, scope_of
from shared.unit_of_work import UnitOfWork

VERIFIER_KINDS = ("watcher", "community_worker", "resident")


def scope_for(uow: UnitOfWork, principal: Principal) -> Scope:
    return scope_of(principal, uow.context.bundle)


def ensure_visible(scope: Scope, case: asyncpg.Record) -> None:
    """Seen by its community's people and the handlers of its unit or of the unit it was escalated to."""
    unit_covered = scope.covers_unit(case["unit_id"]) or scope.covers_unit(case["escalated_to"])
    if not (unit_covered or scope.covers_community(case["community_code"])):
        raise CaseNotFound("case", case["case_id"])


async def visible_case(conn: asyncpg.Connection, scope: Scope, case_id) -> None:
    """404 for a case that does not exist or that the caller's scope does not cover."""
    case = await conn.fetchrow(
        "SELECT case_id, community_code, unit_id, escalated_to FROM cases WHERE case_id = $1", case_id
    )
    if case is None:
        raise CaseNotFound("case", case_id)
    ensure_visible(scope, case)


async def is_reporter(conn: asyncpg.Connection, principal: Principal, case_id) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM reports WHERE case_id = $1 AND reporter_id = $2 AND withdrawn_at IS NULL",
            case_id,
            principal.subject,
        )
    )


def ensure_member(scope: Scope, case: asyncpg.Record) -> None:
    """The caller works for the case's unit (the token's `units` claim), or is an admin; others do not see it."""
    if not scope.covers_unit(case["unit_id"]):
        ensure_visible(scope, case)
        raise NotAllowed(f"{scope.subject} is not a member of unit {case['unit_id']}")


async def ensure_can_verify(
    conn: asyncpg.Connection, principal: Principal, scope: Scope, case: asyncpg.Record
) -> PersonRef:
    """A watcher of the case's community, or one of the case's reporters."""
    kind = next((k for k in VERIFIER_KINDS if k in principal.roles), "community_worker")
    person = PersonRef(kind=kind, id=principal.subject)
    if "admin" in principal.roles:
        return person
    if "watcher" in principal.roles and scope.covers_community(case["community_code"]):
        return person
    if await is_reporter(conn, principal, case["case_id"]):
        return person
    ensure_visible(scope, case)
    raise NotAllowed(
        f"{principal.subject} did not report case {case['case_id']} and is not a watcher of its community"
    )
