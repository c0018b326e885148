"""Who may act on a case: a unit's staff (its members), its reporters, watchers. Admins pass every check."""

from __future__ import annotations

import asyncpg

from services.dispatch.domain.errors import NotAllowed
from shared.auth import Principal
from shared.events.catalogue.common import PersonRef

VERIFIER_KINDS = ("watcher", "community_worker", "resident")


async def units_of(conn: asyncpg.Connection, person_id: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT unit_id FROM unit_members WHERE person_id = $1 ORDER BY unit_id", person_id
    )
    return [row["unit_id"] for row in rows]


async def ensure_member(conn: asyncpg.Connection, principal: Principal, unit_id: str) -> None:
    """The caller works for `unit_id` (a row in unit_members), or is an admin."""
    if "admin" in principal.roles:
        return
    member = await conn.fetchval(
        "SELECT true FROM unit_members WHERE unit_id = $1 AND person_id = $2", unit_id, principal.subject
    )
    if not member:
        raise NotAllowed(f"{principal.subject} is not a member of unit {unit_id}")


async def ensure_can_verify(
    conn: asyncpg.Connection, principal: Principal, case: asyncpg.Record
) -> PersonRef:
    """A watcher (of the case's community, when the token names one) or one of the case's reporters."""
    kind = next((k for k in VERIFIER_KINDS if k in principal.roles), "community_worker")
    person = PersonRef(kind=kind, id=principal.subject)
    if "admin" in principal.roles:
        return person
    if "watcher" in principal.roles and principal.community_code in (None, case["community_code"]):
        return person
    reporter = await conn.fetchval(
        "SELECT true FROM reports WHERE case_id = $1 AND reporter_id = $2 AND withdrawn_at IS NULL",
        case["case_id"],
        principal.subject,
    )
    if not reporter:
        raise NotAllowed(
            f"{principal.subject} did not report case {case['case_id']} and is not a watcher of its community"
        )
    return person
