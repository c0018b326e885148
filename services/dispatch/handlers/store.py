"""Reading and changing cases inside a unit of work: the locking, the checked transition and its audit entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from services.dispatch.domain.errors import CaseNotFound, ReferenceNotLoaded
from services.dispatch.domain.lifecycle import Action, Status, next_status
from services.dispatch.domain.routing import Route, route
from services.dispatch.handlers.routing_cache import RoutingCache, routing_reference
from shared.events.catalogue.common import PersonRef
from shared.unit_of_work import UnitOfWork


async def lock_case(conn: asyncpg.Connection, case_id: UUID) -> asyncpg.Record:
    """The case, locked until the transaction ends (commands on one case run one after another)."""
    case = await conn.fetchrow("SELECT * FROM cases WHERE case_id = $1 FOR UPDATE", case_id)
    if case is None:
        raise CaseNotFound("case", case_id)
    return case


async def case_for_command(uow: UnitOfWork, case_id: UUID) -> asyncpg.Record:
    """The case, locked, with the unit of work's events joined to the case's story (the report that opened it), so
    one correlation id follows a report from `hazard.reported` to `issue.closed`."""
    case = await lock_case(uow.conn, case_id)
    uow.continue_story(case["correlation_id"])
    return case


async def audit(
    conn: asyncpg.Connection,
    case_id: UUID,
    action: Action,
    from_status: Status | None,
    to_status: Status,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
) -> None:
    await conn.execute(
        """INSERT INTO case_transitions (case_id, action, from_status, to_status, actor, reason, at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        case_id,
        action,
        from_status,
        to_status,
        actor,
        reason,
        at,
    )


async def transition(
    conn: asyncpg.Connection,
    case: asyncpg.Record,
    action: Action,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
    changes: dict[str, Any] | None = None,
) -> Status:
    """Check `action` against the lifecycle, apply it with `changes`, and append the audit entry."""
    current: Status = case["status"]
    status = next_status(current, action)
    values = {**(changes or {}), "status": status, "updated_at": at}
    columns = list(values)
    assignments = ", ".join(f"{column} = ${n}" for n, column in enumerate(columns, start=2))
    await conn.execute(
        f"UPDATE cases SET {assignments} WHERE case_id = $1", case["case_id"], *values.values()
    )
    await audit(conn, case["case_id"], action, current, status, actor=actor, at=at, reason=reason)
    return status


async def report_ids_of(conn: asyncpg.Connection, case_id: UUID) -> list[UUID]:
    rows = await conn.fetch(
        "SELECT report_id FROM reports WHERE case_id = $1 ORDER BY reported_at, report_id", case_id
    )
    return [row["report_id"] for row in rows]


async def reporters_of(conn: asyncpg.Connection, case_id: UUID) -> list[PersonRef]:
    """Everyone who reported the case and did not withdraw, each person once (anonymous reports each count)."""
    rows = await conn.fetch(
        """SELECT reporter_kind, reporter_id FROM reports
           WHERE case_id = $1 AND withdrawn_at IS NULL ORDER BY reported_at, report_id""",
        case_id,
    )
    people: list[PersonRef] = []
    for row in rows:
        person = PersonRef(kind=row["reporter_kind"], id=row["reporter_id"])
        if person.id is None or person not in people:
            people.append(person)
    return people


async def find_route(
    conn: asyncpg.Connection, routing: RoutingCache, category: str, community_code: str, street_code: str
) -> Route:
    reference = await routing_reference(routing, conn)
    units = reference.units_near(community_code)
    if not units:
        raise ReferenceNotLoaded("no units loaded: run load_reference (the service does at start)")
    decision = route(category, community_code, street_code, reference.rules, units)
    if decision is None:
        office = reference.district_office()
        if office is None:
            raise ReferenceNotLoaded("no district office among the units")
        return Route(office, f"unknown street {street_code}: sent to the district office {office}", None)
    return decision


async def escalation_target(
    conn: asyncpg.Connection, routing: RoutingCache, level: str, street_code: str
) -> str | None:
    reference = await routing_reference(routing, conn)
    if level == "street":
        return reference.street_office(street_code)
    return reference.district_office()


async def unit_exists(conn: asyncpg.Connection, unit_id: str) -> bool:
    return bool(await conn.fetchval("SELECT true FROM units WHERE id = $1 AND active", unit_id))
