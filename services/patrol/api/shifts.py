"""Duty shifts and holiday duty rosters, for dispatchers and community workers."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal

import asyncpg
from fastapi import APIRouter, Depends, Query, status
from pydantic import AwareDatetime, BaseModel, Field

from services.patrol.domain.holidays import OCCASIONS, holiday_schedule
from services.patrol.domain.roster import Slot
from services.patrol.domain.watcher_errors import InvalidInput
from services.patrol.handlers import shifts, shifts_roster, watchers
from shared.http.contract import answers
from shared.reference import ReferenceBundle
from shared.runtime.app import ServiceHandle, pool_of, service_of
from shared.scope import Scope, scoped

router = APIRouter(tags=["shifts"])
PLANNERS = scoped("dispatcher", "community_worker")


class ShiftView(BaseModel):
    shift_id: str
    watcher_id: str
    community_code: str
    starts_at: datetime
    ends_at: datetime
    occasion: str | None
    roster_id: str | None = None
    status: Literal["scheduled", "cancelled"] = "scheduled"
    cancel_reason: str | None = None


class NewShift(BaseModel):
    watcher_id: str = Field(examples=["w-0001"])
    starts_at: AwareDatetime = Field(examples=["2026-10-01T08:00:00+08:00"])
    ends_at: AwareDatetime = Field(examples=["2026-10-01T12:00:00+08:00"])
    occasion: str | None = Field(None, max_length=50, examples=["national-day"])


class Cancellation(BaseModel):
    reason: str = Field(min_length=1, max_length=500, examples=["台风预警，停止户外巡逻"])


class SlotIn(BaseModel):
    start: time = Field(description="Local time (Asia/Shanghai).", examples=["08:00"])
    end: time = Field(description="Local time, after start on the same day.", examples=["12:00"])
    watchers: int = Field(1, ge=1, le=50, description="Watchers on duty in this slot.")


class RosterRequestIn(BaseModel):
    """A holiday (`occasion` + `year`) or any period (`first_day`..`last_day`), for a community or a street."""

    occasion: str | None = Field(None, max_length=50, examples=["national-day"])
    year: int | None = Field(None, ge=2000, le=2100, examples=[2026])
    first_day: date | None = None
    last_day: date | None = None
    community_code: str | None = Field(None, examples=["WG-TJ"])
    street_code: str | None = Field(None, examples=["WG"])
    slots: list[SlotIn] = Field(min_length=1, max_length=12)
    preview: bool = Field(False, description="Compute the roster and return it without saving it.")

    def to_request(self) -> shifts_roster.RosterRequest:
        if (self.community_code is None) == (self.street_code is None):
            raise InvalidInput("community_code", "give exactly one of community_code and street_code")
        first, last = self.first_day, self.last_day
        if first is None or last is None:
            if self.occasion not in OCCASIONS:
                raise InvalidInput(
                    "first_day", f"give first_day and last_day, or an occasion of {list(OCCASIONS)}"
                )
            if self.year is None:
                raise InvalidInput("year", f"which year's {self.occasion}?")
            period = holiday_schedule(self.occasion, self.year)
            first, last = period.first, period.last
        scope = "community" if self.community_code else "street"
        return shifts_roster.RosterRequest(
            scope=scope,
            scope_code=self.community_code or self.street_code or "",
            first_day=first,
            last_day=last,
            slots=[Slot(s.start, s.end, s.watchers) for s in self.slots],
            occasion=self.occasion,
            preview=self.preview,
        )


class RosterView(BaseModel):
    roster_id: str | None = Field(description="Null for a preview.")
    preview: bool
    occasion: str | None
    scope: Literal["community", "street"]
    scope_code: str
    first_day: date
    last_day: date
    watchers: int = Field(description="Active watchers the roster rotated among.")
    shifts_per_watcher: dict[str, int]
    shifts: list[ShiftView]
    estimated: bool | None = Field(
        None,
        description="For a holiday roster just generated: true when the State Council's schedule for that year is "
        "not in the holiday calendar yet, so its dates are the statutory days' estimate.",
    )


@router.post(
    "/shifts",
    status_code=status.HTTP_201_CREATED,
    response_model=ShiftView,
    summary="Schedule a shift",
    responses=answers(404),
)
async def schedule(
    body: NewShift,
    scope: Scope = Depends(PLANNERS),
    service: ServiceHandle = Depends(service_of),
) -> dict[str, Any]:
    async with service.unit_of_work() as uow:
        watcher = await watchers.get_watcher(uow.conn, body.watcher_id)
        scope.reveal(
            scope.covers_community(watcher["community_code"]), "watcher_id", f"watcher {body.watcher_id}"
        )
        return await shifts.schedule_shift(uow, body.watcher_id, body.starts_at, body.ends_at, body.occasion)


@router.get("/shifts", response_model=list[ShiftView], summary="Shifts of a community or a watcher")
async def list_shifts(
    community_code: str | None = None,
    watcher_id: str | None = None,
    roster_id: str | None = None,
    starting_from: AwareDatetime | None = Query(None, alias="from"),
    starting_before: AwareDatetime | None = Query(None, alias="to"),
    status: Literal["scheduled", "cancelled"] | None = None,
    limit: int = Query(500, ge=1, le=5000),
    scope: Scope = Depends(PLANNERS),
    pool: asyncpg.Pool = Depends(pool_of),
) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        return await shifts.list_shifts(
            conn,
            watcher_id=watcher_id,
            communities=scope.narrow(community_code),
            roster_id=roster_id,
            starting_from=starting_from,
            starting_before=starting_before,
            status=status,
            limit=limit,
        )


@router.post("/shifts/{shift_id}/cancel", response_model=ShiftView, summary="Cancel a shift")
async def cancel(
    shift_id: str,
    body: Cancellation,
    scope: Scope = Depends(PLANNERS),
    service: ServiceHandle = Depends(service_of),
) -> dict[str, Any]:
    async with service.unit_of_work() as uow:
        shift = await shifts.get_shift(uow.conn, shift_id)
        scope.reveal(scope.covers_community(shift["community_code"]), "shift_id", f"shift {shift_id}")
        return await shifts.cancel_shift(uow, shift_id, body.reason)


@router.post(
    "/rosters",
    status_code=status.HTTP_201_CREATED,
    response_model=RosterView,
    summary="Generate a duty roster for a holiday or a period",
    responses=answers(404),
)
async def generate(
    body: RosterRequestIn,
    scope: Scope = Depends(PLANNERS),
    service: ServiceHandle = Depends(service_of),
) -> dict[str, Any]:
    request = body.to_request()
    _require_place(scope, request, service.context.bundle)
    async with service.unit_of_work() as uow:
        roster = await shifts_roster.generate_roster(uow, request, scope.subject)
    if body.occasion and body.year and body.first_day is None:
        roster["estimated"] = holiday_schedule(body.occasion, body.year).estimated
    return roster


@router.get("/rosters/{roster_id}", response_model=RosterView, summary="A roster and its shifts")
async def get_roster(
    roster_id: str,
    scope: Scope = Depends(PLANNERS),
    pool: asyncpg.Pool = Depends(pool_of),
) -> dict[str, Any]:
    async with pool.acquire() as conn:
        roster = await shifts_roster.get_roster(conn, roster_id)
    covered = scope.covers_street if roster["scope"] == "street" else scope.covers_community
    scope.reveal(covered(roster["scope_code"]), "roster_id", f"roster {roster_id}")
    return roster


def _require_place(scope: Scope, request: shifts_roster.RosterRequest, bundle: ReferenceBundle) -> None:
    """A worker of one community may roster it, not its street; a place that does not exist is left to the
    roster's own check (422 naming the field)."""
    if request.scope == "street":
        if any(street.code == request.scope_code for street in bundle.streets):
            scope.require_street(request.scope_code)
    elif any(organisation.code == request.scope_code for organisation in bundle.organisations):
        scope.require_community(request.scope_code)
