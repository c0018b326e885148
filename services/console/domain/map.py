"""The map of open cases: the reference bundle's grid polygons projected into an SVG, one pin per case."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from shared.reference import ReferenceBundle

WIDTH = 800.0


@dataclass(frozen=True)
class Shape:
    community_code: str
    path: str
    hue: int  # one tint per community, so neighbouring communities' cells can be told apart


@dataclass(frozen=True)
class Pin:
    case_id: str
    status: str
    urgency: str
    x: float
    y: float
    number: str  # the case number people read (`DD-2026-000123`)
    category: str
    community_code: str


@dataclass(frozen=True)
class Tile:
    """A background tile of a slippy-map server (`{z}/{x}/{y}`), placed where it falls on the SVG."""

    z: int
    x: int
    y: int
    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class Bounds:
    west: float
    north: float
    squeeze: float  # cos(latitude): a longitude degree's width against a latitude degree's
    scale: float  # SVG units per degree of latitude

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return round((lon - self.west) * self.squeeze * self.scale, 1), round(
            (self.north - lat) * self.scale, 1
        )


@dataclass(frozen=True)
class DistrictMap:
    width: float
    height: float
    shapes: list[Shape]
    centres: dict[str, tuple[float, float]]
    bounds: Bounds | None = None

    def tiles(self, across: int = 4) -> list[Tile]:
        """The tiles under the map at the zoom where about `across` of them span its width (Web Mercator tiles;
        over a district the projections agree to well under a pixel of the SVG)."""
        if self.bounds is None:
            return []
        b = self.bounds
        east = b.west + self.width / (b.squeeze * b.scale)
        south = b.north - self.height / b.scale
        zoom = max(0, min(19, round(math.log2(across * 360 / max(east - b.west, 1e-9)))))
        first_x, last_x = _tile_x(b.west, zoom), _tile_x(east, zoom)
        first_y, last_y = _tile_y(b.north, zoom), _tile_y(south, zoom)
        placed = []
        for x in range(first_x, last_x + 1):
            for y in range(first_y, last_y + 1):
                left, top = b.project(*_tile_corner(x, y, zoom))
                right, bottom = b.project(*_tile_corner(x + 1, y + 1, zoom))
                placed.append(Tile(zoom, x, y, left, top, round(right - left, 1), round(bottom - top, 1)))
        return placed

    def pin(self, case: dict, urgency: str) -> Pin | None:
        """A case's pin at its community's centre, spread by its id so pins of one community do not overlap."""
        centre = self.centres.get(case.get("community_code") or "")
        if centre is None:
            return None
        digest = hashlib.sha256(str(case["case_id"]).encode()).digest()
        angle, radius = digest[0] / 255 * 2 * math.pi, 4 + digest[1] / 255 * 10
        return Pin(
            case_id=str(case["case_id"]),
            status=str(case["status"]),
            urgency=urgency,
            x=round(centre[0] + radius * math.cos(angle), 1),
            y=round(centre[1] + radius * math.sin(angle), 1),
            number=str(case.get("case_number") or str(case["case_id"])[:8]),
            category=str(case.get("category") or ""),
            community_code=str(case.get("community_code") or ""),
        )


def _tile_x(lon: float, zoom: int) -> int:
    return int((lon + 180) / 360 * 2**zoom)


def _tile_y(lat: float, zoom: int) -> int:
    rad = math.radians(lat)
    return int((1 - math.asinh(math.tan(rad)) / math.pi) / 2 * 2**zoom)


def _tile_corner(x: int, y: int, zoom: int) -> tuple[float, float]:
    """(lon, lat) of a tile's north-west corner."""
    lon = x / 2**zoom * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2**zoom))))
    return lon, lat


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def district_map(bundle: ReferenceBundle) -> DistrictMap:
    rings = [(grid.community_code, ring) for grid in bundle.grids for ring in _rings(grid.geometry)]
    hues = {code: hashlib.sha256(code.encode()).digest()[0] * 360 // 256 for code, _ in rings}
    lons = [point[0] for _, ring in rings for point in ring]
    lats = [point[1] for _, ring in rings for point in ring]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    # Longitude degrees shrink with latitude: scale them so the map is not stretched sideways.
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = WIDTH / max((east - west) * squeeze, 1e-9)
    height = round((north - south) * scale, 1)

    bounds = Bounds(west, north, squeeze, scale)
    project = bounds.project

    shapes, sums = [], {}
    for community, ring in rings:
        points = [project(lon, lat) for lon, lat in ring]
        path = "M" + "L".join(f"{x},{y}" for x, y in points) + "Z"
        shapes.append(Shape(community, path, hues[community]))
        total = sums.setdefault(community, [0.0, 0.0, 0])
        for x, y in points:
            total[0], total[1], total[2] = total[0] + x, total[1] + y, total[2] + 1
    centres = {code: (round(sx / n, 1), round(sy / n, 1)) for code, (sx, sy, n) in sums.items()}
    return DistrictMap(WIDTH, height, shapes, centres, bounds)


def community_centres(bundle: ReferenceBundle) -> dict[str, tuple[float, float]]:
    """Each community's (lat, lon) at the middle of its grid cells' corners: where a patrol starts or ends when
    the phone gives no location."""
    sums: dict[str, list[float]] = {}
    for grid in bundle.grids:
        for ring in _rings(grid.geometry):
            total = sums.setdefault(grid.community_code, [0.0, 0.0, 0])
            for lon, lat in ring:
                total[0], total[1], total[2] = total[0] + lat, total[1] + lon, total[2] + 1
    return {code: (round(lat / n, 6), round(lon / n, 6)) for code, (lat, lon, n) in sums.items()}
