"""Writes the SAMPLE reference bundle for Dadong District: `python deploy/reference/generate_sample.py`.

Real names and boundaries of all 145 communities and villages are not public in machine-readable form; this bundle
keeps the true counts (10 streets, 127 communities, 18 villages) and the places the source article names
(文官街道 Wenguan street: 团结 Tuanjie, 荣乐 Rongle and 北苑 Beiyuan communities). Everything else is invented:
names, codes, boundaries (a lattice of rectangles over the district's extent), units and contacts. Replace the
bundle with the district's real data before production; the format stays the same.
"""

from __future__ import annotations

import json
from pathlib import Path

VERSION = "2026.11-sample.1"
OUT = Path(__file__).parent / "dadong-sample"
SOUTH, NORTH, WEST, EAST = 41.780, 41.880, 123.450, 123.600
COLUMNS, ROWS = 13, 12
CHINESE_NUMBERS = "零一二三四五六七八九十"


def street_name(n: int) -> tuple[str, str]:
    return (
        ("文官街道", "Wenguan Street") if n == 1 else (f"样例{CHINESE_NUMBERS[n]}街道", f"Sample Street {n}")
    )


def cells() -> list[tuple[float, float, float, float]]:
    width, height = (EAST - WEST) / COLUMNS, (NORTH - SOUTH) / ROWS
    out = []
    for row in range(ROWS):
        for column in range(COLUMNS):
            west, south = WEST + column * width, SOUTH + row * height
            out.append((round(west, 6), round(south, 6), round(west + width, 6), round(south + height, 6)))
    return out


def ring(west: float, south: float, east: float, north: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def areas() -> tuple[list[dict], list[dict]]:
    streets = []
    organisations = []
    plan = [(n, 14, 0) for n in range(1, 9)] + [(9, 15, 3), (10, 0, 15)]
    named = {
        1: [
            ("TJ", "团结社区", "Tuanjie Community"),
            ("RL", "荣乐社区", "Rongle Community"),
            ("BY", "北苑社区", "Beiyuan Community"),
        ]
    }
    for number, communities, villages in plan:
        code = "WG" if number == 1 else f"S{number:02d}"
        zh, en = street_name(number)
        streets.append({"code": code, "name_zh": zh, "name_en": en})
        for index in range(communities):
            if index < len(named.get(number, [])):
                suffix, c_zh, c_en = named[number][index]
            else:
                suffix, c_zh, c_en = (
                    f"C{index + 1:02d}",
                    f"{zh[:-2]}样例社区{index + 1:02d}",
                    f"{en} Community {index + 1:02d}",
                )
            organisations.append(
                {
                    "code": f"{code}-{suffix}",
                    "kind": "community",
                    "street_code": code,
                    "name_zh": c_zh,
                    "name_en": c_en,
                }
            )
        for index in range(villages):
            organisations.append(
                {
                    "code": f"{code}-V{index + 1:02d}",
                    "kind": "village",
                    "street_code": code,
                    "name_zh": f"{zh[:-2]}样例村{index + 1:02d}",
                    "name_en": f"{en} Village {index + 1:02d}",
                }
            )
    return streets, organisations


def grids(organisations: list[dict]) -> dict:
    features = []
    for organisation, (west, south, east, north) in zip(organisations, cells(), strict=False):
        mid_lon, mid_lat = round((west + east) / 2, 6), round((south + north) / 2, 6)
        quarters = [
            (west, south, mid_lon, mid_lat),
            (mid_lon, south, east, mid_lat),
            (west, mid_lat, mid_lon, north),
            (mid_lon, mid_lat, east, north),
        ]
        for number, box in enumerate(quarters, start=1):
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "grid_code": f"{organisation['code']}-G{number}",
                        "community_code": organisation["code"],
                    },
                    "geometry": {"type": "Polygon", "coordinates": [ring(*box)]},
                }
            )
    return {"type": "FeatureCollection", "features": features}


CATEGORIES = [
    # code, group, zh, en, keywords, default severity, attributes
    (
        "fire.balcony-storage",
        "fire",
        "阳台堆放杂物",
        "Goods stacked on a balcony",
        ["cardboard", "纸箱", "fire"],
        "high",
        [],
    ),
    (
        "fire.stairwell-storage",
        "fire",
        "楼道堆物",
        "Goods stacked in a stairwell",
        ["stairwell", "楼道", "fire"],
        "high",
        [("floor", "number", "楼层 Floor", False, None)],
    ),
    (
        "fire.ebike-indoor-charging",
        "fire",
        "电动车入户充电",
        "E-bike charged indoors",
        ["e-bike", "电动车", "charging"],
        "urgent",
        [],
    ),
    (
        "fire.blocked-exit",
        "fire",
        "消防通道堵塞",
        "Fire exit or lane blocked",
        ["fire lane", "消防通道"],
        "high",
        [],
    ),
    (
        "facilities.manhole-cover",
        "facilities",
        "井盖破损",
        "Damaged manhole cover",
        ["manhole", "井盖"],
        "high",
        [
            (
                "cover_state",
                "singlevaluelist",
                "井盖状况 Cover state",
                True,
                [("cracked", "边缘裂缝 Cracked edge"), ("loose", "松动 Loose"), ("missing", "缺失 Missing")],
            )
        ],
    ),
    (
        "facilities.street-light",
        "facilities",
        "路灯损坏",
        "Street light out",
        ["street light", "路灯"],
        "normal",
        [],
    ),
    (
        "facilities.road-damage",
        "facilities",
        "道路破损",
        "Damaged road or pavement",
        ["pothole", "路面"],
        "normal",
        [],
    ),
    (
        "greenery.dead-branch",
        "greenery",
        "枯枝隐患",
        "Dead or falling branch",
        ["branch", "枯枝", "tree"],
        "high",
        [],
    ),
    ("greenery.fallen-tree", "greenery", "树木倒伏", "Fallen tree", ["tree", "倒伏"], "urgent", []),
    (
        "order.dispute",
        "public-order",
        "邻里纠纷",
        "Dispute between neighbours",
        ["dispute", "纠纷"],
        "normal",
        [],
    ),
    (
        "order.suspicious",
        "public-order",
        "可疑情况",
        "Suspicious activity",
        ["suspicious", "可疑"],
        "high",
        [],
    ),
    ("sanitation.garbage", "sanitation", "垃圾堆积", "Garbage piling up", ["garbage", "垃圾"], "normal", []),
    (
        "sanitation.illegal-dumping",
        "sanitation",
        "乱倒垃圾",
        "Illegal dumping",
        ["dumping", "建筑垃圾"],
        "normal",
        [],
    ),
    ("utilities.gas-smell", "utilities", "燃气异味", "Smell of gas", ["gas", "燃气"], "urgent", []),
    (
        "utilities.water-outage",
        "utilities",
        "停水漏水",
        "Water outage or leak",
        ["water", "漏水"],
        "high",
        [],
    ),
    (
        "need.elderly-care",
        "needs",
        "独居老人关怀",
        "Care for an elderly person living alone",
        ["elderly", "老人"],
        "normal",
        [],
    ),
    (
        "need.disability-support",
        "needs",
        "助残服务",
        "Support for a person with a disability",
        ["disability", "助残"],
        "normal",
        [],
    ),
    (
        "need.household-help",
        "needs",
        "生活困难求助",
        "Help with a household difficulty",
        ["help", "求助"],
        "normal",
        [],
    ),
]


def categories() -> list[dict]:
    out = []
    for code, group, zh, en, keywords, severity, attributes in CATEGORIES:
        out.append(
            {
                "code": code,
                "group": group,
                "kind": "need" if group == "needs" else "hazard",
                "name_zh": zh,
                "name_en": en,
                "keywords": keywords,
                "default_severity": severity,
                "attributes": [
                    {
                        "code": a_code,
                        "datatype": datatype,
                        "description": description,
                        "required": required,
                        "values": [{"key": key, "name": name} for key, name in (values or [])],
                    }
                    for a_code, datatype, description, required, values in attributes
                ],
            }
        )
    return out


def units(streets: list[dict], organisations: list[dict]) -> list[dict]:
    def unit(
        unit_id: str, kind: str, zh: str, en: str, street: str | None = None, community: str | None = None
    ) -> dict:
        return {
            "id": unit_id,
            "kind": kind,
            "name_zh": zh,
            "name_en": en,
            "street_code": street,
            "community_code": community,
            "contacts": [{"channel": "log", "address": f"unit:{unit_id}"}],
        }

    out = [
        unit(
            "district-office",
            "district_office",
            "大东区基层治理指挥中心",
            "Dadong district governance centre",
        ),
        unit("fire-rescue", "fire_rescue", "大东区消防救援大队", "Dadong fire and rescue brigade"),
        unit(
            "municipal-maintenance",
            "municipal_maintenance",
            "区市政设施维护中心",
            "District municipal maintenance",
        ),
        unit("greenery", "greenery", "区园林绿化中心", "District greenery centre"),
        unit("utilities", "utilities", "燃气与供水抢修中心", "Gas and water emergency repair"),
    ]
    for street in streets:
        code = street["code"]
        out.append(
            unit(
                f"{code}-office",
                "street_office",
                f"{street['name_zh']}办事处",
                f"{street['name_en']} office",
                code,
            )
        )
        out.append(
            unit(
                f"{code}-police",
                "police_station",
                f"{street['name_zh'][:-2]}派出所",
                f"{street['name_en']} police station",
                code,
            )
        )
    for organisation in organisations:
        code, street = organisation["code"], organisation["street_code"]
        if organisation["kind"] == "community":
            out.append(
                unit(
                    f"{code}-property",
                    "property_company",
                    f"{organisation['name_zh']}物业公司",
                    f"{organisation['name_en']} property company",
                    street,
                    code,
                )
            )
            out.append(
                unit(
                    f"{code}-committee",
                    "community_committee",
                    f"{organisation['name_zh']}居委会",
                    f"{organisation['name_en']} residents' committee",
                    street,
                    code,
                )
            )
        else:
            out.append(
                unit(
                    f"{code}-committee",
                    "community_committee",
                    f"{organisation['name_zh']}村委会",
                    f"{organisation['name_en']} village committee",
                    street,
                    code,
                )
            )
    return out


# Evaluated most specific first (see README.md): scope community > street > district, exact category > group.
ROUTING = [
    ("fire.*", "property_company"),
    ("fire.*", "community_committee"),  # villages have no property company
    ("fire.ebike-indoor-charging", "fire_rescue"),
    ("facilities.manhole-cover", "municipal_maintenance"),
    ("facilities.road-damage", "municipal_maintenance"),
    ("facilities.street-light", "municipal_maintenance"),
    ("greenery.*", "greenery"),
    ("order.*", "police_station"),
    ("order.dispute", "community_committee"),
    ("sanitation.*", "property_company"),
    ("sanitation.*", "community_committee"),
    ("utilities.*", "utilities"),
    ("need.*", "community_committee"),
]


def routing() -> list[dict]:
    return [
        {
            "category": category,
            "scope": "district",
            "scope_code": None,
            "unit_kind": kind,
            "unit_id": None,
            "priority": index,
        }
        for index, (category, kind) in enumerate(ROUTING)
    ]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    streets, organisations = areas()
    assert len(streets) == 10
    assert sum(o["kind"] == "community" for o in organisations) == 127
    assert sum(o["kind"] == "village" for o in organisations) == 18
    files = {
        "areas.json": {
            "district": {
                "code": "DD",
                "name_zh": "大东区",
                "name_en": "Dadong District",
                "population": 755000,
                "area_km2": 101,
            },
            "streets": streets,
            "organisations": organisations,
        },
        "grids.geojson": grids(organisations),
        "categories.json": categories(),
        "units.json": units(streets, organisations),
        "routing.json": routing(),
    }
    for name, content in files.items():
        (OUT / name).write_text(json.dumps(content, ensure_ascii=False, indent=1) + "\n")
    manifest = {
        "name": "dadong-sample",
        "version": VERSION,
        "sample": True,
        "notice": "SAMPLE DATA. Counts are Dadong's; names, codes, boundaries, units and contacts are "
        "invented, except Wenguan street and its Tuanjie, Rongle and Beiyuan communities.",
        "files": sorted(files),
    }
    (OUT / "bundle.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
