"""Units and routing rules kept in memory, so that routing a report needs no query in the common case.

The process's own changes (admin edits, bundle loads) clear the cache once their transaction has ended
(`RoutingCache.changing()`); changes made by another replica are seen when the copy is older than
`ROUTING_CACHE_SECONDS`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import asyncpg

from services.dispatch.domain.routing import Rule, UnitRecord
from shared.clock import Clock


@dataclass(frozen=True)
class RoutingReference:
    """The active units, in the database's order of ids, and every routing rule."""

    units: tuple[UnitRecord, ...]
    rules: tuple[Rule, ...]
    _near: dict[str, list[UnitRecord]] = field(default_factory=dict, init=False, compare=False, repr=False)

    def units_near(self, community_code: str) -> list[UnitRecord]:
        """The units routing may pick for a community: its own, street-level and district-wide ones, and
        every unit a rule names by id."""
        if community_code not in self._near:
            named = {rule.unit_id for rule in self.rules if rule.unit_id}
            self._near[community_code] = [
                unit
                for unit in self.units
                if unit.community_code is None or unit.community_code == community_code or unit.id in named
            ]
        return self._near[community_code]

    def first_unit(self, kind: str, street_code: str | None = None) -> str | None:
        """The lowest id among the units of `kind` (in `street_code` when given), as `ORDER BY id` sorts."""
        for unit in self.units:
            if unit.kind == kind and (street_code is None or unit.street_code == street_code):
                return unit.id
        return None


async def read_reference(conn: asyncpg.Connection) -> RoutingReference:
    units = await conn.fetch(
        "SELECT id, kind, street_code, community_code FROM units WHERE active ORDER BY id"
    )
    rules = await conn.fetch("SELECT * FROM routing_rules")
    return RoutingReference(
        units=tuple(UnitRecord(**dict(row)) for row in units),
        rules=tuple(Rule(**dict(row)) for row in rules),
    )


class RoutingCache:
    """The routing reference, read from the database at most once per `ttl` (a zero `ttl` reads it every time).

    A read that began before a `clear()` is used by its reader but not kept: it may predate the change.
    """

    def __init__(self, clock: Clock, ttl: timedelta) -> None:
        self._clock = clock
        self._ttl = ttl
        self._kept: RoutingReference | None = None
        self._kept_at: datetime | None = None
        self._generation = 0  # counts clears

    async def get(self, conn: asyncpg.Connection) -> RoutingReference:
        now = self._clock.now()
        if self._kept is not None and timedelta(0) <= now - self._kept_at < self._ttl:
            return self._kept
        generation = self._generation
        reference = await read_reference(conn)
        # nothing loaded yet is not kept: the reports waiting for the load must see it as soon as it commits
        if generation == self._generation and reference.units and self._ttl > timedelta(0):
            self._kept, self._kept_at = reference, now
        return reference

    def clear(self) -> None:
        self._kept = None
        self._generation += 1

    @contextlib.asynccontextmanager
    async def changing(self) -> AsyncIterator[None]:
        """Wrap a transaction that changes units or rules: the cache is cleared once it has ended.

        Clearing only before the commit would not do: a report routed meanwhile would read and keep the old
        rows. Put it outside the transaction (`async with cache.changing(), conn.transaction():`)."""
        try:
            yield
        finally:
            self.clear()
