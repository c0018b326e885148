"""Commands on reports: make one (the report, its photos and `hazard.reported` in one transaction), withdraw one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import asyncpg

from services.patrol.context import PatrolContext
from services.patrol.domain import places
from services.patrol.domain.photos import CleanPhoto
from services.patrol.domain.places import Place, PlaceUnknown
from services.patrol.domain.report_status import PRECEDENCE, SUBMITTED_NOTE, WITHDRAWN_NOTE, Entry, summarise
from services.patrol.domain.reports import (
    ReportConflict,
    ReportDraft,
    Reporter,
    ReportNotFound,
    ReportRejected,
    check_draft,
)
from services.patrol.handlers import patrols
from services.patrol.handlers.reports_queries import REPORT_COLUMNS, ReportView
from shared.events.catalogue.common import Location, PersonRef
from shared.events.catalogue.hazard import HazardReported, HazardWithdrawn
from shared.logging import get_logger
from shared.unit_of_work import UnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True)
class NewReport:
    draft: ReportDraft
    reporter: Reporter
    photos: list[CleanPhoto] = field(default_factory=list)
    media_url: str | None = None  # a photo the client hosts itself (Open311)
    channel: str = "app"
    report_id: uuid.UUID | None = None  # chosen by the device, so a retried upload does not report twice


@dataclass(frozen=True)
class Made:
    report_id: uuid.UUID
    created: bool  # False: the same reporter had already made it with this id
    view: ReportView | None = None  # a new report as it was committed (the caller need not read it back)


async def create_report(uow: UnitOfWork, new: NewReport) -> Made:
    context: PatrolContext = uow.context
    draft = new.draft
    checked = check_draft(context.bundle, draft)
    place = await _place(uow.conn, context, draft, new.reporter)
    # Written before the rows: if the transaction fails they are orphans, harmless because content-addressed.
    for photo in new.photos:
        await context.photos.put(photo.file_name, photo.data)
    photo_urls = [context.photo_url(photo.file_name) for photo in new.photos]
    if new.media_url:
        photo_urls.append(new.media_url)
    report_id = new.report_id or uuid.uuid4()
    reported_at = context.clock.now()
    # A concurrent retry with the same id waits here for the first to commit, then finds it made.
    row = await uow.conn.fetchrow(
        f"""WITH made AS (
               INSERT INTO reports AS r (report_id, kind, category, description, lat, lon, address, address_id,
                                         community_code, street_code, grid_code, severity, reporter_kind,
                                         reporter_id, submitted_by, channel, attributes, media_url, reported_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
               ON CONFLICT (report_id) DO NOTHING RETURNING {REPORT_COLUMNS}
           ), submitted AS (  -- the first entry of the reporter's timeline, with the report
               INSERT INTO report_history (report_id, event_type, occurred_at, status, note, precedence)
               SELECT report_id, 'hazard.reported', reported_at, 'submitted', $20, $21 FROM made
           )
           SELECT * FROM made""",
        report_id,
        checked.kind,
        checked.category.code,
        checked.description,
        draft.lat,
        draft.lon,
        checked.address,
        draft.address_id,
        place.community_code,
        place.street_code,
        place.grid_code,
        checked.severity,
        new.reporter.kind,
        new.reporter.id,
        new.reporter.submitted_by,
        new.channel,
        checked.attributes,
        new.media_url,
        reported_at,
        SUBMITTED_NOTE,
        PRECEDENCE["submitted"],
    )
    if row is None:
        owner = await uow.conn.fetchval("SELECT submitted_by FROM reports WHERE report_id = $1", report_id)
        if owner is None or owner != new.reporter.submitted_by:
            raise ReportConflict("taken", f"report_id {report_id} belongs to another report")
        return Made(report_id, created=False)
    await uow.conn.executemany(
        """INSERT INTO report_photos (report_id, position, sha256, extension, content_type, size_bytes)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        [
            (report_id, position, photo.sha256, photo.extension, photo.content_type, len(photo.data))
            for position, photo in enumerate(new.photos, start=1)
        ],
    )
    if new.reporter.submitted_by and new.channel == "app":
        patrol_id = await patrols.current_patrol_id(uow.conn, new.reporter.submitted_by)
        if patrol_id is not None:  # made on a round: the patrol log counts it
            await patrols.link_report(uow.conn, patrol_id, str(report_id), reported_at)
    event = HazardReported(
        report_id=report_id,
        kind=checked.kind,  # type: ignore[arg-type]
        category=checked.category.code,
        description=checked.description,
        location=Location(lat=draft.lat, lon=draft.lon, address=checked.address),
        community_code=place.community_code,
        street_code=place.street_code,
        grid_code=place.grid_code,
        severity=checked.severity,  # type: ignore[arg-type]
        reporter=PersonRef(kind=new.reporter.kind, id=new.reporter.id),
        photo_urls=photo_urls,
        reported_at=reported_at,
        attributes=checked.attributes,
    )
    await uow.emit(event)
    log.info(
        "report made",
        report_id=str(report_id),
        category=event.category,
        community_code=place.community_code,
        photos=len(new.photos),
        channel=new.channel,
    )
    stored_photos = [context.photo_url(photo.file_name) for photo in new.photos]
    submitted = Entry("hazard.reported", row["reported_at"], "submitted", SUBMITTED_NOTE)
    return Made(report_id, created=True, view=ReportView(row, stored_photos, summarise([submitted])))


async def _place(
    conn: asyncpg.Connection, context: PatrolContext, draft: ReportDraft, reporter: Reporter
) -> Place:
    """The point's grid; else the community a code or the address names; else the reporter's own community."""
    bundle = context.bundle
    try:
        place = places.place_of_point(bundle, draft.lat, draft.lon)
    except PlaceUnknown as error:
        raise ReportRejected(error.field, error.reason) from None
    if place is None and draft.address_id:
        place = places.place_of_code(bundle, draft.address_id)
        if place is None:
            raise ReportRejected("address_id", f"{draft.address_id!r} is neither a community nor a grid code")
    if place is None and draft.address:
        place = places.place_named_in(bundle, draft.address)
    if place is None and reporter.submitted_by and reporter.kind in ("watcher", "anonymous"):
        community = await _watcher_community(conn, reporter.submitted_by)
        place = places.place_of_community(bundle, community) if community else None
    if place is None and reporter.community_code:
        place = places.place_of_community(bundle, reporter.community_code)
    if place is None:
        raise ReportRejected("lat", "give lat and lon, or an address that names the community")
    return place


async def _watcher_community(conn: asyncpg.Connection, watcher_id: str) -> str | None:
    return await conn.fetchval(
        "SELECT community_code FROM watchers WHERE watcher_id = $1 AND active", watcher_id
    )


async def _add_history(
    conn: asyncpg.Connection, report_id: uuid.UUID, event_type: str, at, status: str, note: str
) -> None:
    await conn.execute(
        """INSERT INTO report_history (report_id, event_type, occurred_at, status, note, precedence)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        report_id,
        event_type,
        at,
        status,
        note,
        PRECEDENCE[status],
    )


async def withdraw_report(
    uow: UnitOfWork, report_id: uuid.UUID, submitted_by: str, reason: str
) -> HazardWithdrawn:
    """The reporter takes a report back, as long as dispatch has not made it part of a case."""
    row = await uow.conn.fetchrow(
        "SELECT submitted_by, withdrawn_at FROM reports WHERE report_id = $1 FOR UPDATE", report_id
    )
    if row is None or row["submitted_by"] != submitted_by:
        raise ReportNotFound(report_id)
    if row["withdrawn_at"] is not None:
        raise ReportConflict("withdrawn", "it was already withdrawn")
    status = await uow.conn.fetchval(
        """SELECT status FROM report_timeline WHERE report_id = $1
            ORDER BY occurred_at DESC, precedence DESC LIMIT 1""",
        report_id,
    )
    in_case = await uow.conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM case_reports WHERE report_id = $1)", report_id
    )
    if in_case or status != "submitted":
        raise ReportConflict(status or "assigned", "it has been dispatched; only the case can be closed now")
    withdrawn_at = uow.context.clock.now()
    await uow.conn.execute(
        "UPDATE reports SET withdrawn_at = $2, withdraw_reason = $3 WHERE report_id = $1",
        report_id,
        withdrawn_at,
        reason,
    )
    await _add_history(uow.conn, report_id, "hazard.withdrawn", withdrawn_at, "withdrawn", WITHDRAWN_NOTE)
    event = HazardWithdrawn(report_id=report_id, reason=reason, withdrawn_at=withdrawn_at)
    await uow.emit(event)
    log.info("report withdrawn", report_id=str(report_id))
    return event
