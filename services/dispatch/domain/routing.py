"""Routing: which unit must fix a case, and why. Pure: units and rules come in, a decision comes out.

Rules that match the category and the case's place are tried most specific first: scope community before
street before district, then an exact category before a wildcard, then lower priority. A `unit_kind` resolves to
the unit of that kind in the community, else in the street (a street-level unit), else a district-wide one; a
rule that does not resolve is skipped. When nothing resolves, the street office takes the case, with a note.
Escalation goes unit → street office → district office.

Where several units could be meant (two of a kind in one place, two street offices), the one marked
`routing_default` is (the reference bundle marks its units; an admin marks one through the API), or else the only
one; never the first by id, so a unit an admin adds, whatever its name, takes nothing it was not given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.dispatch.domain.policy import category_matches

SCOPE_ORDER = {"community": 0, "street": 1, "district": 2}


@dataclass(frozen=True)
class UnitRecord:
    id: str
    kind: str
    street_code: str | None = None
    community_code: str | None = None
    routing_default: bool = False


def chosen(units: Iterable[UnitRecord]) -> UnitRecord | None:
    """The unit marked as the default among `units`, else the only one; None when that leaves a choice."""
    units = list(units)
    defaults = [unit for unit in units if unit.routing_default]
    if len(defaults) == 1:
        return defaults[0]
    return units[0] if len(units) == 1 else None


@dataclass(frozen=True)
class Rule:
    rule_id: int
    category: str
    scope: str
    scope_code: str | None
    unit_kind: str | None
    unit_id: str | None
    priority: int = 0

    def applies_to(self, category: str, community_code: str, street_code: str) -> bool:
        if not category_matches(self.category, category):
            return False
        if self.scope == "community":
            return self.scope_code == community_code
        if self.scope == "street":
            return self.scope_code == street_code
        return True

    def sort_key(self) -> tuple[int, int, int, int]:
        wildcard = 1 if self.category.endswith(".*") else 0
        return (SCOPE_ORDER[self.scope], wildcard, self.priority, self.rule_id)

    def describe(self) -> str:
        where = "district-wide" if self.scope == "district" else f"{self.scope} {self.scope_code}"
        target = f"unit {self.unit_id}" if self.unit_id else f"the {self.unit_kind}"
        return f"rule #{self.rule_id}: {self.category} ({where}) → {target}"


@dataclass(frozen=True)
class Route:
    unit_id: str
    reason: str
    rule_id: int | None  # None when no rule resolved and the street office took the case


def resolve_kind(
    kind: str, community_code: str, street_code: str, units: Iterable[UnitRecord]
) -> UnitRecord | None:
    """The unit of `kind` in the community, else a street-level one in the street, else a district-wide one."""
    candidates = [unit for unit in units if unit.kind == kind]
    tiers = (
        [u for u in candidates if u.community_code == community_code],
        [u for u in candidates if u.community_code is None and u.street_code == street_code],
        [u for u in candidates if u.community_code is None and u.street_code is None],
    )
    for tier in tiers:
        if tier:
            return chosen(tier)
    return None


def route(
    category: str,
    community_code: str,
    street_code: str,
    rules: Iterable[Rule],
    units: Iterable[UnitRecord],
) -> Route | None:
    """The unit that must handle a case, with the reason; None only when even the street office is unknown."""
    units = list(units)
    by_id = {unit.id: unit for unit in units}
    matching = sorted(
        (rule for rule in rules if rule.applies_to(category, community_code, street_code)),
        key=Rule.sort_key,
    )
    for rule in matching:
        unit = by_id.get(rule.unit_id) if rule.unit_id else None
        if rule.unit_kind:
            unit = resolve_kind(rule.unit_kind, community_code, street_code, units)
        if unit is not None:
            return Route(unit.id, rule.describe(), rule.rule_id)
    office = street_office(street_code, units)
    if office is None:
        return None
    return Route(
        office.id,
        f"no routing rule resolved for {category} in {community_code}: sent to the street office {office.id}",
        None,
    )


def street_office(street_code: str, units: Iterable[UnitRecord]) -> UnitRecord | None:
    return chosen(u for u in units if u.kind == "street_office" and u.street_code == street_code)


def district_office(units: Iterable[UnitRecord]) -> UnitRecord | None:
    return chosen(u for u in units if u.kind == "district_office")
