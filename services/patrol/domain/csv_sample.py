"""A sample watchers CSV (invented people, valid Chinese names and phones) with deliberate bad rows, for tests
and demonstrations of the import. No I/O: it returns the text and the rejects the import must report.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass

from services.patrol.domain.csv_import import COLUMNS

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红梅鹏飞建国建华志强永刚淑珍凤兰桂芝德明国庆"
)
PREFIXES = (
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "158",
    "159",
    "186",
    "187",
    "188",
    "199",
)


@dataclass(frozen=True)
class ExpectedReject:
    row: int
    field: str
    reason: str


def sample_watchers_csv(
    communities: Sequence[str], rows: int = 1396, *, seed: int = 1396, bad: bool = True
) -> tuple[str, list[ExpectedReject]]:
    """`rows` data rows (the header is row 1); with `bad`, six of them are wrong in known ways."""
    rng = random.Random(seed)
    phones: set[str] = set()
    records: list[dict[str, str]] = []
    while len(records) < rows:
        phone = rng.choice(PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone in phones:
            continue
        phones.add(phone)
        paired = rng.random() < 0.5
        records.append(
            {
                "display_name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                "phone": phone,
                "community": rng.choice(communities),
                "preferred_language": "zh-CN",
                "armband_issued_on": f"2026-0{rng.randint(1, 3)}-{rng.randint(10, 28)}",
                "vest_issued_on": f"2026-0{rng.randint(1, 3)}-{rng.randint(10, 28)}"
                if rng.random() < 0.8
                else "",
                "pairing_role": rng.choice(("police", "auxiliary_police")) if paired else "",
                "pairing_name": rng.choice(SURNAMES) + "警官" if paired else "",
                "pairing_badge": f"{rng.randrange(10**6):06d}" if paired else "",
                "pairing_station": "文官派出所" if paired else "",
            }
        )
    expected: list[ExpectedReject] = []
    if bad and rows >= 60:
        spoilers = [
            (10, "phone", "bad_phone", lambda r: r.update(phone=r["phone"][:10])),
            (20, "community", "unknown_community", lambda r: r.update(community="NO-SUCH")),
            (30, "phone", "duplicate_in_file", lambda r: r.update(phone=records[4]["phone"])),
            (40, "display_name", "missing", lambda r: r.update(display_name="")),
            (50, "vest_issued_on", "bad_date", lambda r: r.update(vest_issued_on="2026-02-30")),
            (55, "phone", "bad_phone", lambda r: r.update(phone="021-6543-2100")),
        ]
        for index, field, reason, spoil in spoilers:
            spoil(records[index])
            expected.append(ExpectedReject(row=index + 2, field=field, reason=reason))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue(), expected
