"""The holiday duty roster (节假日值守): a period, daily slots, a community or street; shifts rotated fairly.

Past shifts count: when the seats do not divide evenly, the extra ones go to whoever has served least so far.
Two rosters may not cover the same days of the same place (a street and one of its communities included).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import asyncpg

from services.patrol.domain.holidays import days_of
from services.patrol.domain.roster import Slot, build_roster, check_days, check_slots, shift_times
from services.patrol.domain.watcher_errors import Conflict, InvalidInput, NotFound
from services.patrol.handlers.shifts import INSERT_SHIFT, list_shifts, new_shift_id, scheduled_event
from services.patrol.handlers.watchers import community_of
from shared.clock import DISTRICT_TIMEZONE
from shared.reference import ReferenceBundle
from shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class RosterRequest:
    scope: Literal["community", "street"]
    scope_code: str
    first_day: date
    last_day: date
    slots: list[Slot]
    occasion: str | None = None
    preview: bool = False


def _places_sharing(bundle: ReferenceBundle, request: RosterRequest) -> list[str]:
    """The scope's code and the codes whose rosters would staff the same watchers."""
    if request.scope == "community":
        community = community_of(bundle, request.scope_code)
        return [community.code, community.street_code]
    if request.scope_code not in {street.code for street in bundle.streets}:
        raise InvalidInput("street_code", f"no street with code {request.scope_code!r} in the reference data")
    inside = [o.code for o in bundle.organisations if o.street_code == request.scope_code]
    return [request.scope_code, *inside]


async def generate_roster(uow: UnitOfWork, request: RosterRequest, created_by: str) -> dict[str, Any]:
    places = _places_sharing(uow.context.bundle, request)
    days = days_of(request.first_day, request.last_day)
    check_days(days)
    check_slots(request.slots)
    scope_field = f"{request.scope}_code"
    await uow.conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"patrol.roster.{places[-1]}")
    clash = await uow.conn.fetchrow(
        """SELECT roster_id, first_day, last_day, scope_code FROM rosters
           WHERE scope_code = ANY($1::text[]) AND first_day <= $3 AND last_day >= $2 LIMIT 1""",
        places,
        request.first_day,
        request.last_day,
    )
    if clash:
        raise Conflict(
            "rostered",
            f"roster {clash['roster_id']} already covers {clash['scope_code']} "
            f"from {clash['first_day']} to {clash['last_day']}",
        )
    pool = await uow.conn.fetch(
        f"SELECT watcher_id, community_code FROM watchers WHERE active AND {scope_field} = $1 ORDER BY watcher_id",
        request.scope_code,
    )
    if not pool:
        raise InvalidInput(scope_field, f"no active watchers in {request.scope_code}")
    community = {row["watcher_id"]: row["community_code"] for row in pool}
    past = await uow.conn.fetch(
        """SELECT watcher_id, count(*) AS n FROM shifts
           WHERE status = 'scheduled' AND watcher_id = ANY($1::text[]) GROUP BY watcher_id""",
        list(community),
    )
    assignments = build_roster(days, request.slots, list(community), {r["watcher_id"]: r["n"] for r in past})
    now = uow.context.clock.now()
    roster_id = f"r-{uuid.uuid4().hex[:12]}"
    shifts = []
    for assignment in assignments:
        starts_at, ends_at = shift_times(assignment.day, request.slots[assignment.slot], DISTRICT_TIMEZONE)
        watcher = assignment.watcher_id
        shifts.append(
            (
                new_shift_id(),
                watcher,
                community[watcher],
                starts_at,
                ends_at,
                request.occasion,
                roster_id,
                now,
            )
        )
    summary = {
        "roster_id": None if request.preview else roster_id,
        "preview": request.preview,
        "occasion": request.occasion,
        "scope": request.scope,
        "scope_code": request.scope_code,
        "first_day": request.first_day,
        "last_day": request.last_day,
        "watchers": len(community),
        "shifts_per_watcher": dict(sorted(Counter(a.watcher_id for a in assignments).items())),
    }
    if request.preview:
        columns = ("shift_id", "watcher_id", "community_code", "starts_at", "ends_at", "occasion")
        return {**summary, "shifts": [dict(zip(columns, shift, strict=False)) for shift in shifts]}
    await uow.conn.execute(
        """INSERT INTO rosters (roster_id, occasion, scope, scope_code, first_day, last_day, slots, pool_size,
                                created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10)""",
        roster_id,
        request.occasion,
        request.scope,
        request.scope_code,
        request.first_day,
        request.last_day,
        [
            {"start": s.start.isoformat(), "end": s.end.isoformat(), "watchers": s.watchers}
            for s in request.slots
        ],
        len(community),
        created_by,
        now,
    )
    await uow.conn.executemany(INSERT_SHIFT, shifts)
    for shift in shifts:
        await uow.emit(scheduled_event(shift, now))
    return {**summary, "shifts": await list_shifts(uow.conn, roster_id=roster_id, limit=10_000)}


async def get_roster(conn: asyncpg.Connection, roster_id: str) -> dict[str, Any]:
    row = await conn.fetchrow("SELECT * FROM rosters WHERE roster_id = $1", roster_id)
    if row is None:
        raise NotFound("roster_id", f"no roster {roster_id}")
    shifts = await list_shifts(conn, roster_id=roster_id, limit=10_000)
    counts = Counter(shift["watcher_id"] for shift in shifts if shift["status"] == "scheduled")
    return {
        **{
            key: row[key] for key in ("roster_id", "occasion", "scope", "scope_code", "first_day", "last_day")
        },
        "preview": False,
        "watchers": row["pool_size"],
        "shifts_per_watcher": dict(sorted(counts.items())),
        "shifts": shifts,
    }
