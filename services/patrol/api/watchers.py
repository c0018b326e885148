"""Administering safety watchers: register, list, change, deactivate, and import a CSV of them. A dispatcher or
community worker manages the watchers their token covers (`shared.scope`); importing needs a district-wide token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
from fastapi import APIRouter, Depends, File, Query, UploadFile, status
from pydantic import BaseModel, Field

from services.patrol.domain.watchers import EquipmentIssue, Pairing, WatcherChanges, WatcherFields
from services.patrol.handlers import imports, watchers
from shared.errors import Invalid
from shared.runtime.app import ServiceHandle, pool_of, service_of
from shared.scope import Scope, scoped

router = APIRouter(prefix="/watchers", tags=["watchers"])
MANAGERS = scoped("dispatcher", "community_worker")
MAX_CSV_BYTES = 5 * 1024 * 1024


class WatcherView(BaseModel):
    watcher_id: str
    display_name: str
    community_code: str
    street_code: str
    active: bool
    phone: str = Field(description="Masked, like 138****5678.")
    preferred_language: str
    equipment: list[EquipmentIssue]
    pairings: list[Pairing]
    registered_at: datetime
    updated_at: datetime
    deactivated_at: datetime | None
    deactivation_reason: str | None


class WatcherPage(BaseModel):
    total: int
    watchers: list[WatcherView]


class Deactivation(BaseModel):
    reason: str = Field(min_length=1, max_length=500, examples=["搬离社区"])


class ImportReject(BaseModel):
    row: int = Field(description="Line in the file; the header is row 1.")
    field: str = Field(description="The CSV column at fault.")
    reason: str = Field(
        description="missing, too_long, bad_phone, unknown_community, bad_date, bad_value, "
        "duplicate_in_file or already_registered."
    )
    message: str


class ImportedWatcher(BaseModel):
    row: int
    watcher_id: str


class ImportReport(BaseModel):
    dry_run: bool
    rows: int = Field(description="Data rows read (blank lines skipped).")
    accepted: int = Field(description="Rows that passed every check.")
    imported: int = Field(description="Watchers registered (0 on a dry run).")
    rejected: int = Field(description="Rows refused; each reason is in `rejects`.")
    rejects: list[ImportReject]
    ignored_columns: list[str]
    watchers: list[ImportedWatcher]


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=WatcherView, summary="Register a watcher"
)
async def register(
    fields: WatcherFields,
    scope: Scope = Depends(MANAGERS),
    service: ServiceHandle = Depends(service_of),
) -> dict[str, Any]:
    scope.require_community(fields.community_code)
    async with service.unit_of_work() as uow:
        return await watchers.register_watcher(uow, fields)


@router.post(
    "/import", response_model=ImportReport, summary="Import watchers from a CSV file (UTF-8, header row)"
)
async def import_csv(
    file: UploadFile = File(description="CSV, UTF-8; columns in the service README."),
    dry_run: bool = Query(False, description="Check every row and write nothing."),
    scope: Scope = Depends(MANAGERS),
    service: ServiceHandle = Depends(service_of),
) -> dict[str, Any]:
    content = await file.read(MAX_CSV_BYTES + 1)
    if len(content) > MAX_CSV_BYTES:
        raise Invalid("file", f"larger than {MAX_CSV_BYTES} bytes")
    async with service.unit_of_work() as uow:
        return await imports.import_watchers(uow, content, dry_run=dry_run, covers=scope.covers_community)


@router.get("", response_model=WatcherPage, summary="List watchers (phones masked)")
async def list_watchers(
    community_code: str | None = None,
    street_code: str | None = None,
    active: bool | None = None,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
    scope: Scope = Depends(MANAGERS),
    pool: asyncpg.Pool = Depends(pool_of),
) -> dict[str, Any]:
    async with pool.acquire() as conn:
        total, page = await watchers.list_watchers(
            conn,
            communities=scope.narrow(community_code),
            street_code=street_code,
            active=active,
            limit=limit,
            offset=offset,
        )
    return {"total": total, "watchers": page}


@router.get("/{watcher_id}", response_model=WatcherView, summary="One watcher (phone masked)")
async def get_watcher(
    watcher_id: str,
    scope: Scope = Depends(MANAGERS),
    pool: asyncpg.Pool = Depends(pool_of),
) -> dict[str, Any]:
    async with pool.acquire() as conn:
        watcher = await watchers.get_watcher(conn, watcher_id)
    _reveal(scope, watcher)
    return watcher


@router.patch("/{watcher_id}", response_model=WatcherView, summary="Change a watcher's details")
async def update(
    watcher_id: str,
    changes: WatcherChanges,
    scope: Scope = Depends(MANAGERS),
    service: ServiceHandle = Depends(service_of),
) -> dict[str, Any]:
    async with service.unit_of_work() as uow:
        _reveal(scope, await watchers.get_watcher(uow.conn, watcher_id))
        if changes.community_code:
            scope.require_community(changes.community_code)
        return await watchers.update_watcher(uow, watcher_id, changes)


@router.post("/{watcher_id}/deactivate", response_model=WatcherView, summary="Deactivate a watcher")
async def deactivate(
    watcher_id: str,
    body: Deactivation,
    scope: Scope = Depends(MANAGERS),
    service: ServiceHandle = Depends(service_of),
) -> dict[str, Any]:
    async with service.unit_of_work() as uow:
        _reveal(scope, await watchers.get_watcher(uow.conn, watcher_id))
        return await watchers.deactivate_watcher(uow, watcher_id, body.reason)


def _reveal(scope: Scope, watcher: dict[str, Any]) -> None:
    scope.reveal(
        scope.covers_community(watcher["community_code"]), "watcher_id", f"watcher {watcher['watcher_id']}"
    )
