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
class DistrictMap:
    width: float
    height: float
    shapes: list[Shape]
    centres: dict[str, tuple[float, float]]

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

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - west) * squeeze * scale, 1), round((north - lat) * scale, 1)

    shapes, sums = [], {}
    for community, ring in rings:
        points = [project(lon, lat) for lon, lat in ring]
        path = "M" + "L".join(f"{x},{y}" for x, y in points) + "Z"
        shapes.append(Shape(community, path, hues[community]))
        total = sums.setdefault(community, [0.0, 0.0, 0])
        for x, y in points:
            total[0], total[1], total[2] = total[0] + x, total[1] + y, total[2] + 1
    centres = {code: (round(sx / n, 1), round(sy / n, 1)) for code, (sx, sy, n) in sums.items()}
    return DistrictMap(WIDTH, height, shapes, centres)
