"""Units and routing rules kept in memory, so that routing a report needs no query in the common case.

The process's own changes (admin edits, bundle loads) clear the cache once their transaction has ended
(`context.routing.changing()`); changes made by another replica are seen when the copy is older than
`ROUTING_CACHE_SECONDS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import asyncpg

from services.dispatch.domain.routing import Rule, UnitRecord, district_office, street_office
from shared.cache import ReadThroughCache
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

    def street_office(self, street_code: str) -> str | None:
        office = street_office(street_code, self.units)
        return office.id if office else None

    def district_office(self) -> str | None:
        office = district_office(self.units)
        return office.id if office else None


async def read_reference(conn: asyncpg.Connection) -> RoutingReference:
    units = await conn.fetch(
        "SELECT id, kind, street_code, community_code, routing_default FROM units WHERE active ORDER BY id"
    )
    rules = await conn.fetch("SELECT * FROM routing_rules")
    return RoutingReference(
        units=tuple(UnitRecord(**dict(row)) for row in units),
        rules=tuple(Rule(**dict(row)) for row in rules),
    )


RoutingCache = ReadThroughCache[str, RoutingReference]


def routing_cache(clock: Clock, ttl: timedelta) -> RoutingCache:
    # nothing loaded yet is not kept: the reports waiting for the load must see it as soon as it commits
    return ReadThroughCache(clock, ttl, keep=lambda reference: bool(reference.units))


async def routing_reference(cache: RoutingCache, conn: asyncpg.Connection) -> RoutingReference:
    return await cache.get("units and rules", lambda: read_reference(conn))
