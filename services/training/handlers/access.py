"""Whose a training record is, for the one scope rule (`shared.scope`): a person, a reserve candidate, targeted
help and a pairing each belong to an organisation (a community or village) and to the people it is about."""

from __future__ import annotations

from typing import Literal

import asyncpg

from shared.scope import Scope

Kind = Literal["person", "candidate", "assistance", "pairing"]
_WHOSE: dict[str, str] = {
    "person": "SELECT organisation_code, ARRAY[person_id] AS owners FROM people WHERE person_id = $1",
    "candidate": "SELECT organisation_code, ARRAY[person_id] AS owners FROM candidates WHERE candidate_id = $1",
    "assistance": "SELECT organisation_code, ARRAY[helper_id] AS owners FROM assistance WHERE assistance_id = $1",
    "pairing": """SELECT mentee.organisation_code, ARRAY[x.mentor_id, x.mentee_id] AS owners
                  FROM pairings x JOIN people mentee ON mentee.person_id = x.mentee_id WHERE x.pairing_id = $1""",
}


async def ensure_sees(conn: asyncpg.Connection, scope: Scope, kind: Kind, key: str) -> None:
    """404 unless the caller is one of the people the record is about, or staff whose scope covers its
    organisation. A record that does not exist is left to the handler's own 404."""
    row = await conn.fetchrow(_WHOSE[kind], key)
    if row is None or scope.subject in row["owners"]:
        return
    staff = scope.principal.has_any("trainer", "service")
    scope.reveal(staff and scope.covers_community(row["organisation_code"]), f"{kind}_id", f"{kind} {key}")


def require_organisation(scope: Scope, code: str | None, field: str = "organisation_code") -> None:
    """A record placed in an organisation needs a scope covering it; one placed in none, a district-wide scope."""
    if code is not None or not scope.district:
        scope.require_community(code, field)
