"""What every training router shares: a unit of work per command, a connection per query.

Roles: trainers run the programme (people, sessions, the reserve pool, the Cup, whose judges are trainers);
secretaries and reserve candidates call with the `community_worker` role and their person id as the token's
subject, and may act only for themselves (enrol, withdraw, give feedback, nominate themselves); admins pass every
check.

What each role covers (`shared.scope`): a trainer the whole district, or the street or community their token
names; a community worker their own records only (their person, training record, enrolments, nominations, the
help they were sent to give); admins and services everything. People, reserve candidates, targeted help and
pairings belong to an organisation (a community), so a trainer narrowed to a street sees those of its
communities only and anyone else gets 404. The programme itself is district-wide by design: tracks, courses,
studios, sessions, the Cup, organisations, the reserve pool's counts and the statistics.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
from fastapi import Depends, Request

from shared.runtime.app import ServiceHandle
from shared.scope import scoped
from shared.unit_of_work import UnitOfWork

STAFF = ("trainer",)
ANYONE: tuple[str, ...] = ()  # any valid bearer token
STAFF_SCOPE = Depends(scoped(*STAFF))


class Gate(ServiceHandle):
    """Opens one transaction for a command, or takes a connection for a query (refusals are the shared domain
    errors, answered by `shared.http.problems`)."""

    @contextlib.asynccontextmanager
    async def command(self) -> AsyncIterator[UnitOfWork]:
        async with self.unit_of_work() as uow:
            yield uow

    @contextlib.asynccontextmanager
    async def query(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.pool.acquire() as conn:
            yield conn


async def gate(request: Request) -> Gate:
    return Gate(request)  # a coroutine, so FastAPI builds it without a thread hop


GateDep = Depends(gate)
