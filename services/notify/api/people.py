"""A recipient's own settings in the directory: quiet hours (contact details come from their owning service)."""

from __future__ import annotations

from datetime import time

import asyncpg
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, model_validator

from services.notify.api.notifications import may_see
from services.notify.handlers import queries
from services.notify.handlers.directory import set_quiet_hours
from shared.auth import Principal, require
from shared.errors import Forbidden, NotFound
from shared.http.contract import answers
from shared.runtime.app import context_of, pool_of, source_of
from shared.scope import Scope, scoped
from shared.unit_of_work import unit_of_work

router = APIRouter(tags=["directory"])


class QuietHours(BaseModel):
    start: time | None = Field(None, description="District time quiet hours begin (null: the default).")
    end: time | None = Field(None, description="District time they end; may be the next morning.")

    @model_validator(mode="after")
    def _both_or_neither(self) -> QuietHours:
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither to use the deployment's default")
        return self


class Recipient(BaseModel):
    recipient_id: str
    display_name: str
    preferred_language: str
    active: bool
    channels: list[str] = Field(
        description="The channels the recipient can be reached on (never the addresses)."
    )
    quiet_hours: QuietHours


def _own(principal: Principal, person_id: str) -> None:
    if principal.subject != person_id and not principal.has_any():
        raise Forbidden("person_id", "only your own settings")


async def _recipient(pool: asyncpg.Pool, person_id: str) -> Recipient:
    row = await queries.recipient(pool, person_id)
    if row is None:
        raise NotFound("person_id", f"{person_id} is not in the directory")
    return Recipient(
        recipient_id=row["recipient_id"],
        display_name=row["display_name"],
        preferred_language=row["preferred_language"],
        active=row["active"],
        channels=list(row["channels"]),
        quiet_hours=QuietHours(start=row["quiet_start"], end=row["quiet_end"]),
    )


@router.get("/people/{person_id}", summary="How notify reaches a person (channels, language, quiet hours)")
async def person(
    person_id: str, scope: Scope = Depends(scoped()), pool: asyncpg.Pool = Depends(pool_of)
) -> Recipient:
    if not may_see(scope, person_id):
        raise Forbidden("person_id", "only your own settings")
    return await _recipient(pool, person_id)


@router.put(
    "/people/{person_id}/quiet-hours",
    summary="Set (or clear) a person's own quiet hours",
    responses=answers(403),
)
async def put_quiet_hours(
    person_id: str,
    body: QuietHours,
    principal: Principal = Depends(require()),
    pool: asyncpg.Pool = Depends(pool_of),
    context=Depends(context_of),
    source: str = Depends(source_of),
) -> Recipient:
    _own(principal, person_id)
    async with unit_of_work(pool, source, context) as uow:
        if not await set_quiet_hours(uow, person_id, body.start, body.end):
            raise NotFound("person_id", f"{person_id} is not in the directory")
    return await _recipient(pool, person_id)
