"""A person's (or a unit's) notifications, a delivery with its attempts, and resending.

Who sees what (`shared.scope`): a person their own messages; a handler those of the units in their token; a
district-wide caller (admin, service, a dispatcher without a street or community claim) everyone's. Notify keeps no
community of a person, so a dispatcher narrowed to a street or community reads no one else's messages here.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

import asyncpg
from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel

from services.notify.domain.rules import UNIT_PREFIX, unit_recipient
from services.notify.handlers import queries
from services.notify.handlers.resend import DeliveryNotFound, resend
from shared.http.contract import answers
from shared.http.pages import Page, PageRequest, paging
from shared.runtime.app import context_of, pool_of, source_of
from shared.scope import Forbidden, Scope, scoped
from shared.unit_of_work import unit_of_work

router = APIRouter(tags=["notifications"])
Status = Literal["pending", "in_flight", "sent", "failed", "cancelled"]
_OVERSEERS = ("dispatcher", "service")


def may_see(scope: Scope, recipient_id: str) -> bool:
    """A recipient's messages are seen by the recipient, by a unit's handlers, and by district-wide callers."""
    if recipient_id == scope.subject or scope.district:
        return True
    return recipient_id.startswith(UNIT_PREFIX) and scope.covers_unit(recipient_id.removeprefix(UNIT_PREFIX))


class Attempt(BaseModel):
    attempt: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    detail: str | None


class Delivery(BaseModel):
    delivery_id: uuid.UUID
    recipient_id: str
    channel: str
    purpose: str
    status: Status
    cause_event_id: uuid.UUID
    cause_event_type: str
    language: str
    body: str
    urgent: bool
    due_at: datetime
    next_attempt_at: datetime
    attempts: int
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


class DeliveryWithAttempts(Delivery):
    attempt_log: list[Attempt]


@router.get("/people/{person_id}/notifications", summary="A person's notifications, newest first")
async def person_notifications(
    person_id: str,
    status_filter: Status | None = Query(None, alias="status"),
    page: PageRequest = Depends(paging(50)),
    scope: Scope = Depends(scoped()),
    pool: asyncpg.Pool = Depends(pool_of),
) -> Page[Delivery]:
    if not (
        may_see(scope, person_id) and (scope.subject == person_id or scope.principal.has_any(*_OVERSEERS))
    ):
        raise Forbidden("person_id", "only your own notifications")
    items, total = await queries.deliveries(
        pool, person_id, status_filter, limit=page.limit, offset=page.offset
    )
    return page.of(items, total)


@router.get("/units/{unit_id}/notifications", summary="A unit's notifications, newest first")
async def unit_notifications(
    unit_id: str,
    status_filter: Status | None = Query(None, alias="status"),
    page: PageRequest = Depends(paging(50)),
    scope: Scope = Depends(scoped("dispatcher", "handler", "service")),
    pool: asyncpg.Pool = Depends(pool_of),
) -> Page[Delivery]:
    scope.require_unit(unit_id)
    items, total = await queries.deliveries(
        pool, unit_recipient(unit_id), status_filter, limit=page.limit, offset=page.offset
    )
    return page.of(items, total)


@router.get("/deliveries/{delivery_id}", summary="A delivery and every attempt to send it")
async def delivery(
    delivery_id: uuid.UUID,
    scope: Scope = Depends(scoped()),
    pool: asyncpg.Pool = Depends(pool_of),
) -> DeliveryWithAttempts:
    row = await queries.delivery(pool, delivery_id)
    if row is None or not may_see(scope, row["recipient_id"]):
        raise DeliveryNotFound(delivery_id)
    attempts = await queries.attempts(pool, delivery_id)
    return DeliveryWithAttempts(**row, attempt_log=[Attempt(**attempt) for attempt in attempts])


@router.post(
    "/deliveries/{delivery_id}/resend",
    status_code=status.HTTP_201_CREATED,
    summary="Send a delivered or failed message again, as a new delivery",
    responses=answers(409),
)
async def resend_delivery(
    delivery_id: uuid.UUID,
    scope: Scope = Depends(scoped("dispatcher")),
    pool: asyncpg.Pool = Depends(pool_of),
    context=Depends(context_of),
    source: str = Depends(source_of),
) -> Delivery:
    recipient = await queries.recipient_of(pool, delivery_id)
    if recipient is not None and not may_see(scope, recipient):
        raise DeliveryNotFound(delivery_id)
    async with unit_of_work(pool, source, context) as uow:
        new_id = await resend(uow, delivery_id)
    context.wake_worker()
    row = await queries.delivery(pool, new_id)
    assert row is not None
    return Delivery(**row)
