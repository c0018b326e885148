"""Reading a reference bundle (deploy/reference/): areas, grids, categories, units and routing rules, checked.

Each service loads what it needs from a `ReferenceBundle` into its own schema; `locate()` resolves a point to its
community and grid.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from shapely import STRtree
from shapely.geometry import Point, shape

from shared.settings import DEFAULT_BUNDLE

UnitKind = Literal[
    "property_company",
    "community_committee",
    "street_office",
    "police_station",
    "fire_rescue",
    "municipal_maintenance",
    "greenery",
    "utilities",
    "district_office",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Street(_Frozen):
    code: str
    name_zh: str
    name_en: str


class Organisation(_Frozen):
    """A community (社区) or an administrative village (行政村): one Party organisation each."""

    code: str
    kind: Literal["community", "village"]
    street_code: str
    name_zh: str
    name_en: str


class District(_Frozen):
    code: str
    name_zh: str
    name_en: str
    population: int
    area_km2: float


class AttributeValue(_Frozen):
    key: str
    name: str


class CategoryAttribute(_Frozen):
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    description: str
    required: bool
    values: list[AttributeValue] = Field(default_factory=list)


class Category(_Frozen):
    code: str
    group: str
    kind: Literal["hazard", "need"]
    name_zh: str
    name_en: str
    keywords: list[str]
    default_severity: Literal["low", "normal", "high", "urgent"]
    attributes: list[CategoryAttribute] = Field(default_factory=list)


class UnitContact(_Frozen):
    channel: str
    address: str


class Unit(_Frozen):
    id: str
    kind: UnitKind
    name_zh: str
    name_en: str
    street_code: str | None = None
    community_code: str | None = None
    contacts: list[UnitContact] = Field(default_factory=list)
    routing_default: bool = Field(
        True,
        description="Routing picks this unit where several of its kind could be meant in its place (at most "
        "one per kind and place); a unit an admin adds is not one unless marked.",
    )


class RoutingRule(_Frozen):
    category: str = Field(description="A category code, or `prefix.*`.")
    scope: Literal["community", "street", "district"]
    scope_code: str | None = None
    unit_kind: UnitKind | None = None
    unit_id: str | None = None
    priority: int = Field(
        0, ge=-(2**31), le=2**31 - 1, description="Lower goes first among equals (a 32-bit integer)."
    )

    @model_validator(mode="after")
    def _one_target(self) -> RoutingRule:
        if (self.unit_kind is None) == (self.unit_id is None):
            raise ValueError("a routing rule names exactly one of unit_kind and unit_id")
        if (self.scope == "district") != (self.scope_code is None):
            raise ValueError("scope_code is null exactly when the scope is the district")
        return self

    def matches_category(self, code: str) -> bool:
        if self.category.endswith(".*"):
            return code.startswith(self.category[:-1])
        return code == self.category


class Grid(_Frozen):
    grid_code: str
    community_code: str
    geometry: dict


class Manifest(_Frozen):
    name: str
    version: str
    sample: bool
    notice: str
    files: list[str]


class Location(_Frozen):
    community_code: str
    street_code: str
    grid_code: str


class BundleError(ValueError):
    pass


class ReferenceBundle(_Frozen):
    manifest: Manifest
    district: District
    streets: list[Street]
    organisations: list[Organisation]
    grids: list[Grid]
    categories: list[Category]
    units: list[Unit]
    routing: list[RoutingRule]

    @classmethod
    def load(cls, folder: Path = DEFAULT_BUNDLE) -> ReferenceBundle:
        def read(name: str) -> object:
            return json.loads((folder / name).read_text(encoding="utf-8"))

        areas = read("areas.json")
        assert isinstance(areas, dict)
        features = read("grids.geojson")
        assert isinstance(features, dict)
        bundle = cls(
            manifest=read("bundle.json"),
            district=areas["district"],
            streets=areas["streets"],
            organisations=areas["organisations"],
            grids=[
                {**feature["properties"], "geometry": feature["geometry"]} for feature in features["features"]
            ],
            categories=read("categories.json"),
            units=read("units.json"),
            routing=read("routing.json"),
        )
        bundle.check()
        return bundle

    def check(self) -> None:
        """Codes unique, and every reference points at something that exists."""
        problems: list[str] = []

        def unique(kind: str, codes: list[str]) -> set[str]:
            seen = set(codes)
            if len(seen) != len(codes):
                problems.append(f"duplicate {kind} codes")
            return seen

        streets = unique("street", [s.code for s in self.streets])
        organisations = unique("organisation", [o.code for o in self.organisations])
        unique("grid", [g.grid_code for g in self.grids])
        unique("category", [c.code for c in self.categories])
        units = unique("unit", [u.id for u in self.units])
        problems += [
            f"{o.code}: unknown street {o.street_code}"
            for o in self.organisations
            if o.street_code not in streets
        ]
        problems += [
            f"grid {g.grid_code}: unknown community"
            for g in self.grids
            if g.community_code not in organisations
        ]
        problems += [
            f"unit {u.id}: unknown street"
            for u in self.units
            if u.street_code and u.street_code not in streets
        ]
        problems += [
            f"unit {u.id}: unknown community"
            for u in self.units
            if u.community_code and u.community_code not in organisations
        ]
        problems += [
            f"rule {r.category}: unknown unit {r.unit_id}"
            for r in self.routing
            if r.unit_id and r.unit_id not in units
        ]
        places = [(u.kind, u.street_code, u.community_code) for u in self.units if u.routing_default]
        problems += [
            f"units of kind {kind} in {community or street or 'the district'}: more than one routing_default"
            for kind, street, community in sorted(
                {place for place in places if places.count(place) > 1}, key=str
            )
        ]
        if not any(u.kind == "district_office" for u in self.units):
            problems.append("no district_office unit to escalate to")
        problems += [
            f"street {s}: no street office"
            for s in streets
            if not any(u.kind == "street_office" and u.street_code == s for u in self.units)
        ]
        if problems:
            raise BundleError("; ".join(problems[:20]))

    def organisation(self, code: str) -> Organisation:
        for organisation in self.organisations:
            if organisation.code == code:
                return organisation
        raise KeyError(code)

    @cached_property
    def _grid_index(self) -> tuple[STRtree, list[Grid]]:
        shapes = [shape(grid.geometry) for grid in self.grids]
        return STRtree(shapes), list(self.grids)

    def locate(self, lat: float, lon: float) -> Location | None:
        """The community and grid a point (WGS 84) falls in, or None outside the district."""
        tree, grids = self._grid_index
        point = Point(lon, lat)
        for index in sorted(int(i) for i in tree.query(point, predicate="intersects")):
            grid = grids[index]
            community = self.organisation(grid.community_code)
            return Location(
                community_code=community.code, street_code=community.street_code, grid_code=grid.grid_code
            )
        return None
