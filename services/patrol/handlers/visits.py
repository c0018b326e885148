"""Commands and reads of door-knocking visits: register a household, record a visit (each need found becomes a
report, and so a case), a household with its visits and needs, and a community's coverage over a quarter."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from services.patrol.context import PatrolContext
from services.patrol.domain.report_status import CLOSED_STATUSES
from services.patrol.domain.reports import ReportDraft, Reporter, ReportRejected
from services.patrol.domain.visits import (
    Coverage,
    Quarter,
    VisitDraft,
    VisitRejected,
    check_visit,
    need_is_open,
)
from services.patrol.domain.watcher_errors import Conflict, NotFound
from services.patrol.handlers.reports import NewReport, create_report
from shared.events.catalogue.common import PersonRef
from shared.events.catalogue.visit import HouseholdVisited
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)

# Each need of a household with whether a visit confirmed it met and the status of its case now.
_NEEDS = """
SELECT vn.report_id, r.category, r.description, r.severity, r.reported_at, v.visited_at AS found_at,
       EXISTS (SELECT 1 FROM visit_needs m WHERE m.report_id = vn.report_id AND m.outcome = 'met') AS met,
       (SELECT t.status FROM report_timeline t WHERE t.report_id = vn.report_id
         ORDER BY t.occurred_at DESC, t.precedence DESC LIMIT 1) AS case_status
  FROM visit_needs vn
  JOIN visits v ON v.visit_id = vn.visit_id
  JOIN reports r ON r.report_id = vn.report_id
 WHERE v.household_id = $1 AND vn.role = 'found'
 ORDER BY v.visited_at, vn.report_id
"""


@dataclass(frozen=True)
class Visitor:
    person_id: str
    kind: str  # community_worker or watcher


@dataclass(frozen=True)
class VisitRecorded:
    visit_id: uuid.UUID
    need_report_ids: list[uuid.UUID]


async def register_household(
    uow: UnitOfWork, community_code: str, address_label: str, registered_by: str
) -> str:
    context: PatrolContext = uow.context
    try:
        organisation = context.bundle.organisation(community_code)
    except KeyError:
        raise NotFound("community_code", f"unknown community {community_code!r}") from None
    household_id = f"hh-{uuid.uuid4().hex[:12]}"
    made = await uow.conn.fetchval(
        """INSERT INTO households (household_id, community_code, street_code, address_label, registered_by,
                                   registered_at)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (community_code, address_label) DO NOTHING
           RETURNING household_id""",
        household_id, community_code, organisation.street_code, address_label, registered_by,
        context.clock.now(),
    )  # fmt: skip
    if made is None:
        raise Conflict("registered", f"{address_label} is already a household of {community_code}")
    return household_id


async def household(conn: asyncpg.Connection, household_id: str) -> asyncpg.Record:
    row = await conn.fetchrow("SELECT * FROM households WHERE household_id = $1", household_id)
    if row is None:
        raise NotFound("household_id", f"no household {household_id}")
    return row


async def needs_of(conn: asyncpg.Connection, household_id: str) -> list[dict]:
    needs = []
    for row in await conn.fetch(_NEEDS, household_id):
        status_open = row["case_status"] not in CLOSED_STATUSES
        needs.append(dict(row) | {"open": need_is_open(row["met"], status_open)})
    return needs


async def record_visit(
    uow: UnitOfWork, household_id: str, visitor: Visitor, draft: VisitDraft
) -> VisitRecorded:
    context: PatrolContext = uow.context
    home = await uow.conn.fetchrow(
        "SELECT * FROM households WHERE household_id = $1 FOR UPDATE", household_id
    )  # the lock: two follow-ups of one household see each other's outcomes
    if home is None:
        raise NotFound("household_id", f"no household {household_id}")
    open_needs = {need["report_id"] for need in await needs_of(uow.conn, household_id) if need["open"]}
    visited_at = check_visit(draft, open_needs, context.clock.now())
    reporter = Reporter(visitor.kind, visitor.person_id, visitor.person_id, home["community_code"])  # type: ignore[arg-type]
    found = []
    for index, need in enumerate(draft.needs):
        report = ReportDraft(
            need.category,
            need.description,
            kind="need",
            severity=need.severity,
            address=home["address_label"],
            address_id=home["community_code"],
        )
        try:
            made = await create_report(uow, NewReport(report, reporter))
        except ReportRejected as error:  # name the need it came from
            raise VisitRejected(f"needs[{index}].{error.field}", error.reason) from None
        found.append(made.report_id)
    visit_id = uuid.uuid4()
    await uow.conn.execute(
        """INSERT INTO visits (visit_id, household_id, community_code, kind, visited_by, visitor_kind, visited_at,
                               answered, notes, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        visit_id, household_id, home["community_code"], draft.kind, visitor.person_id, visitor.kind, visited_at,
        draft.answered, draft.notes, context.clock.now(),
    )  # fmt: skip
    await uow.conn.executemany(
        "INSERT INTO visit_needs (visit_id, report_id, role, outcome, note) VALUES ($1, $2, $3, $4, $5)",
        [(visit_id, report_id, "found", None, "") for report_id in found]
        + [(visit_id, f.report_id, "followed_up", f.outcome, f.note) for f in draft.followups],
    )
    await uow.emit(
        HouseholdVisited(
            visit_id=visit_id,
            household_id=household_id,
            community_code=home["community_code"],
            street_code=home["street_code"],
            kind=draft.kind,
            visited_by=PersonRef(kind=visitor.kind, id=visitor.person_id),  # type: ignore[arg-type]
            visited_at=visited_at,
            answered=draft.answered,
            need_report_ids=found,
            followed_up_report_ids=[f.report_id for f in draft.followups],
            met_report_ids=[f.report_id for f in draft.followups if f.outcome == "met"],
        )
    )
    log.info("household visited", household_id=household_id, kind=draft.kind, needs_found=len(found))
    return VisitRecorded(visit_id, found)


async def visits_of(conn: asyncpg.Connection, household_id: str) -> list[dict]:
    rows = await conn.fetch(
        """SELECT v.visit_id, v.kind, v.visited_by, v.visitor_kind, v.visited_at, v.answered, v.notes,
                  coalesce(json_agg(json_build_object('report_id', vn.report_id, 'role', vn.role,
                                                      'outcome', vn.outcome, 'note', vn.note)
                           ORDER BY vn.role, vn.report_id) FILTER (WHERE vn.report_id IS NOT NULL), '[]') AS needs
             FROM visits v LEFT JOIN visit_needs vn ON vn.visit_id = v.visit_id
            WHERE v.household_id = $1
            GROUP BY v.visit_id ORDER BY v.visited_at DESC""",
        household_id,
    )
    return [dict(row) for row in rows]


async def list_households(
    conn: asyncpg.Connection, communities: list[str] | None, limit: int, offset: int
) -> tuple[int, list[dict]]:
    """The households of these communities (None: all) with their last visit and how many needs are open."""
    total = await conn.fetchval(
        "SELECT count(*) FROM households WHERE $1::text[] IS NULL OR community_code = ANY($1)", communities
    )
    rows = await conn.fetch(
        """SELECT h.*, (SELECT max(visited_at) FROM visits v WHERE v.household_id = h.household_id) AS last_visited_at
             FROM households h WHERE $1::text[] IS NULL OR h.community_code = ANY($1)
            ORDER BY h.community_code, h.address_label LIMIT $2 OFFSET $3""",
        communities,
        limit,
        offset,
    )
    households = []
    for row in rows:
        needs = await needs_of(conn, row["household_id"])
        households.append(dict(row) | {"open_needs": sum(1 for need in needs if need["open"])})
    return total, households


async def coverage(conn: asyncpg.Connection, community_codes: list[str], quarter: Quarter) -> list[Coverage]:
    """Per community: households kept, households visited in the quarter, visits, needs found and needs met."""
    rows = await conn.fetch(
        """WITH communities AS (SELECT unnest($1::text[]) AS community_code),
           quarter_visits AS (
               SELECT v.* FROM visits v WHERE v.community_code = ANY($1) AND v.visited_at >= $2 AND v.visited_at < $3)
           SELECT c.community_code,
                  (SELECT count(*) FROM households h WHERE h.community_code = c.community_code) AS households,
                  (SELECT count(DISTINCT household_id) FROM quarter_visits q
                    WHERE q.community_code = c.community_code) AS visited,
                  (SELECT count(*) FROM quarter_visits q WHERE q.community_code = c.community_code) AS visits,
                  (SELECT count(*) FROM visit_needs vn JOIN quarter_visits q ON q.visit_id = vn.visit_id
                    WHERE q.community_code = c.community_code AND vn.role = 'found') AS needs_found,
                  (SELECT count(DISTINCT vn.report_id) FROM visit_needs vn JOIN quarter_visits q
                       ON q.visit_id = vn.visit_id
                    WHERE q.community_code = c.community_code AND vn.outcome = 'met') AS needs_met
             FROM communities c ORDER BY c.community_code""",
        community_codes,
        quarter.starts,
        quarter.ends,
    )
    return [Coverage(**dict(row)) for row in rows]
