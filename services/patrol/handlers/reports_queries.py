"""Reading reports back with their photos and public status, for the watchers' API and for Open311."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from services.patrol.context import PatrolContext
from services.patrol.domain.report_status import CLOSED_STATUSES, Entry, PublicStatus, summarise

REPORT_COLUMNS = """r.report_id, r.kind, r.category, r.description, r.lat, r.lon, r.address, r.address_id,
              r.community_code, r.street_code, r.grid_code, r.severity, r.reporter_kind, r.reporter_id,
              r.submitted_by, r.channel, r.attributes, r.media_url, r.reported_at"""


@dataclass(frozen=True)
class ReportView:
    row: asyncpg.Record
    photo_urls: list[str]
    status: PublicStatus

    @property
    def report_id(self) -> UUID:
        return self.row["report_id"]


@dataclass(frozen=True)
class Search:
    """What to look for; empty fields do not filter."""

    report_ids: list[UUID] | None = None
    categories: list[str] | None = None
    submitted_by: str | None = None
    reported_from: datetime | None = None
    reported_until: datetime | None = None
    open: bool | None = None
    kind: str | None = None
    limit: int = 1000


async def find_reports(conn: asyncpg.Connection, context: PatrolContext, search: Search) -> list[ReportView]:
    """Matching reports, newest first, with their photos and status."""
    rows = await conn.fetch(
        f"""SELECT {REPORT_COLUMNS} FROM reports r
             WHERE ($1::uuid[] IS NULL OR r.report_id = ANY($1))
               AND ($2::text[] IS NULL OR r.category = ANY($2))
               AND ($3::text IS NULL OR r.submitted_by = $3)
               AND ($4::timestamptz IS NULL OR r.reported_at >= $4)
               AND ($5::timestamptz IS NULL OR r.reported_at <= $5)
               AND ($6::boolean IS NULL OR ((
                   SELECT t.status FROM report_timeline t WHERE t.report_id = r.report_id
                    ORDER BY t.occurred_at DESC, t.precedence DESC LIMIT 1) <> ALL($9::text[])) = $6)
               AND ($7::text IS NULL OR r.kind = $7)
             ORDER BY r.reported_at DESC, r.report_id
             LIMIT $8""",
        search.report_ids,
        search.categories,
        search.submitted_by,
        search.reported_from,
        search.reported_until,
        search.open,
        search.kind,
        search.limit,
        sorted(CLOSED_STATUSES),
    )
    return await _views(conn, context, rows)


async def get_report(conn: asyncpg.Connection, context: PatrolContext, report_id: UUID) -> ReportView | None:
    # a statement of its own rather than find_reports: the search's optional filters keep PostgreSQL from caching
    # a plan for it (its generic plan scans every report), so each call would be planned afresh
    row = await conn.fetchrow(f"SELECT {REPORT_COLUMNS} FROM reports r WHERE r.report_id = $1", report_id)
    if row is None:
        return None
    [view] = await _views(conn, context, [row])
    return view


async def _views(
    conn: asyncpg.Connection, context: PatrolContext, rows: list[asyncpg.Record]
) -> list[ReportView]:
    ids = [row["report_id"] for row in rows]
    photos: dict[UUID, list[str]] = {report_id: [] for report_id in ids}
    for photo in await conn.fetch(
        """SELECT report_id, sha256, extension FROM report_photos
            WHERE report_id = ANY($1) ORDER BY report_id, position""",
        ids,
    ):
        photos[photo["report_id"]].append(context.photo_url(f"{photo['sha256']}.{photo['extension']}"))
    history: dict[UUID, list[Entry]] = {report_id: [] for report_id in ids}
    for entry in await conn.fetch(
        """SELECT report_id, case_id, event_type, occurred_at, status, note, unit_id, deadline
             FROM report_timeline WHERE report_id = ANY($1)""",
        ids,
    ):
        history[entry["report_id"]].append(
            Entry(
                event_type=entry["event_type"],
                occurred_at=entry["occurred_at"],
                status=entry["status"],
                note=entry["note"],
                unit_id=entry["unit_id"],
                deadline=entry["deadline"],
                case_id=entry["case_id"],
            )
        )
    return [ReportView(row, photos[row["report_id"]], summarise(history[row["report_id"]])) for row in rows]


async def count_reports(conn: asyncpg.Connection, submitted_by: str) -> int:
    """How many reports a person submitted."""
    return int(await conn.fetchval("SELECT count(*) FROM reports WHERE submitted_by = $1", submitted_by))
