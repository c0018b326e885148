"""Patrols: the watchers' own API (my shifts, start and end a patrol, its log) and the dispatchers' view."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg
from fastapi import APIRouter, Depends, Query, status
from pydantic import AwareDatetime, BaseModel, Field

from services.patrol.api.shifts import ShiftView
from services.patrol.handlers import patrols, shifts
from shared.auth import Principal, require
from shared.events.catalogue.common import Location
from shared.http.contract import answers
from shared.runtime.app import ServiceHandle, context_of, pool_of, service_of
from shared.scope import Scope, scoped

router = APIRouter(tags=["patrols"])


class Point(BaseModel):
    lat: float = Field(ge=-90, le=90, examples=[41.7810])
    lon: float = Field(ge=-180, le=180, examples=[123.4520])

    def location(self) -> Location:
        return Location(lat=self.lat, lon=self.lon)


class PatrolStart(BaseModel):
    location: Point
    shift_id: str | None = Field(None, description="Default: the watcher's shift running now, if any.")


class PatrolEnd(BaseModel):
    location: Point


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000, examples=["3号楼王姐家阳台堆放纸箱，已提醒"])
    location: Point | None = None


class NoteView(BaseModel):
    note_id: int
    text: str
    lat: float | None
    lon: float | None
    recorded_at: datetime


class PatrolSummary(BaseModel):
    patrol_id: str
    watcher_id: str
    shift_id: str | None
    community_code: str
    start_lat: float | None
    start_lon: float | None
    end_lat: float | None
    end_lon: float | None
    started_at: datetime
    ended_at: datetime | None
    notes_recorded: int = 0
    reports_made: int = 0


class PatrolView(PatrolSummary):
    notes: list[NoteView]
    report_ids: list[str] = Field(description="Reports made on this patrol.")


def _counted(patrol: dict[str, Any]) -> dict[str, Any]:
    return {**patrol, "notes_recorded": len(patrol["notes"]), "reports_made": len(patrol["report_ids"])}


@router.get(
    "/me/shifts", response_model=list[ShiftView], summary="My duty shifts", tags=["watchers' own API"]
)
async def my_shifts(
    starting_from: AwareDatetime | None = Query(None, alias="from", description="Default: now."),
    starting_before: AwareDatetime | None = Query(None, alias="to"),
    principal: Principal = Depends(require("watcher")),
    pool: asyncpg.Pool = Depends(pool_of),
    context: Any = Depends(context_of),
) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        return await shifts.list_shifts(
            conn,
            watcher_id=principal.subject,
            starting_from=starting_from or context.clock.now(),
            starting_before=starting_before or (starting_from or context.clock.now()) + timedelta(days=90),
        )


@router.post(
    "/me/patrols",
    status_code=status.HTTP_201_CREATED,
    response_model=PatrolView,
    summary="Start a patrol",
    tags=["watchers' own API"],
    responses=answers(404),
)
async def start(
    body: PatrolStart,
    principal: Principal = Depends(require("watcher")),
    service: ServiceHandle = Depends(service_of),
) -> dict[str, Any]:
    async with service.unit_of_work() as uow:
        patrol = await patrols.start_patrol(uow, principal.subject, body.location.location(), body.shift_id)
    return _counted(patrol)


@router.get(
    "/me/patrols",
    response_model=list[PatrolSummary],
    summary="My patrols, latest first",
    tags=["watchers' own API"],
)
async def my_patrols(
    limit: int = Query(50, ge=1, le=500),
    principal: Principal = Depends(require("watcher")),
    pool: asyncpg.Pool = Depends(pool_of),
) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        return await patrols.list_patrols(conn, watcher_id=principal.subject, limit=limit)


@router.get(
    "/me/patrols/{patrol_id}",
    response_model=PatrolView,
    summary="One of my patrols with its log",
    tags=["watchers' own API"],
)
async def my_patrol(
    patrol_id: str, principal: Principal = Depends(require("watcher")), pool: asyncpg.Pool = Depends(pool_of)
) -> dict[str, Any]:
    async with pool.acquire() as conn:
        return _counted(await patrols.get_patrol(conn, patrol_id, principal.subject))


@router.post(
    "/me/patrols/{patrol_id}/notes",
    status_code=status.HTTP_201_CREATED,
    response_model=NoteView,
    summary="Add a note to my open patrol's log",
    tags=["watchers' own API"],
)
async def add_note(
    patrol_id: str,
    body: NoteIn,
    principal: Principal = Depends(require("watcher")),
    service: ServiceHandle = Depends(service_of),
) -> dict[str, Any]:
    location = body.location.location() if body.location else None
    async with service.unit_of_work() as uow:
        return await patrols.add_note(uow, principal.subject, patrol_id, body.text, location)


@router.post(
    "/me/patrols/{patrol_id}/end",
    response_model=PatrolView,
    summary="End my patrol",
    tags=["watchers' own API"],
)
async def end(
    patrol_id: str,
    body: PatrolEnd,
    principal: Principal = Depends(require("watcher")),
    service: ServiceHandle = Depends(service_of),
) -> dict[str, Any]:
    async with service.unit_of_work() as uow:
        return _counted(await patrols.end_patrol(uow, principal.subject, patrol_id, body.location.location()))


@router.get("/patrols", response_model=list[PatrolSummary], summary="Patrols of a community or a watcher")
async def list_patrols(
    community_code: str | None = None,
    watcher_id: str | None = None,
    open_only: bool = Query(False, alias="open"),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
    scope: Scope = Depends(scoped("dispatcher", "community_worker")),
    pool: asyncpg.Pool = Depends(pool_of),
) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        return await patrols.list_patrols(
            conn,
            watcher_id=watcher_id,
            communities=scope.narrow(community_code),
            open_only=open_only,
            limit=limit,
            offset=offset,
        )


@router.get("/patrols/{patrol_id}", response_model=PatrolView, summary="A patrol with its log")
async def get_patrol(
    patrol_id: str,
    scope: Scope = Depends(scoped("dispatcher", "community_worker")),
    pool: asyncpg.Pool = Depends(pool_of),
) -> dict[str, Any]:
    async with pool.acquire() as conn:
        patrol = await patrols.get_patrol(conn, patrol_id)
    scope.reveal(scope.covers_community(patrol["community_code"]), "patrol_id", f"patrol {patrol_id}")
    return _counted(patrol)
