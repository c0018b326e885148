"""Where a report is: a point resolved by grid polygon, a community or grid code, or a community named in an address."""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import Invalid
from shared.reference import ReferenceBundle


@dataclass(frozen=True)
class Place:
    community_code: str
    street_code: str
    grid_code: str | None = None


class PlaceUnknown(Invalid):
    """A field's value that cannot be accepted: 422 naming it."""


def place_of_point(bundle: ReferenceBundle, lat: float | None, lon: float | None) -> Place | None:
    """The grid a point falls in; None when no point was given. Half a point, or one outside the district, is wrong."""
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        missing = "lat" if lat is None else "lon"
        raise PlaceUnknown(missing, "latitude and longitude go together: give both or neither")
    if not -90 <= lat <= 90:
        raise PlaceUnknown("lat", f"{lat} is not a latitude")
    if not -180 <= lon <= 180:
        raise PlaceUnknown("lon", f"{lon} is not a longitude")
    located = bundle.locate(lat, lon)
    if located is None:
        raise PlaceUnknown("lat", f"({lat}, {lon}) is outside the district's grids")
    return Place(located.community_code, located.street_code, located.grid_code)


def place_of_code(bundle: ReferenceBundle, code: str) -> Place | None:
    """A community or village code, or a grid code, as Open311's address_id."""
    for grid in bundle.grids:
        if grid.grid_code == code:
            community = bundle.organisation(grid.community_code)
            return Place(community.code, community.street_code, grid.grid_code)
    for organisation in bundle.organisations:
        if organisation.code == code:
            return Place(organisation.code, organisation.street_code)
    return None


def place_named_in(bundle: ReferenceBundle, address: str) -> Place | None:
    """The community whose Chinese or English name the address contains (the longest name wins)."""
    text = address.casefold()
    best: tuple[int, Place] | None = None
    for organisation in bundle.organisations:
        for name in (organisation.name_zh, organisation.name_en):
            if name and name.casefold() in text and (best is None or len(name) > best[0]):
                best = (len(name), Place(organisation.code, organisation.street_code))
    return best[1] if best else None


def place_of_community(bundle: ReferenceBundle, community_code: str) -> Place | None:
    try:
        organisation = bundle.organisation(community_code)
    except KeyError:
        return None
    return Place(organisation.code, organisation.street_code)
