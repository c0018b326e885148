"""Reading a CSV of watchers (UTF-8, header first) into registrations and a per-row list of what was rejected. No I/O.

Row numbers are the file's line numbers, the header being row 1, so they match what a spreadsheet shows.
A row can be rejected for several reasons at once; each is listed with the column it concerns.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from services.patrol.domain.watcher_errors import InvalidInput
from services.patrol.domain.watchers import (
    PHONE_RULE,
    EquipmentIssue,
    Pairing,
    WatcherFields,
    normalise_phone,
)

REQUIRED_COLUMNS = ("display_name", "phone", "community")
OPTIONAL_COLUMNS = (
    "preferred_language",
    "armband_issued_on",
    "vest_issued_on",
    "pairing_role",
    "pairing_name",
    "pairing_badge",
    "pairing_station",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# Headers as district spreadsheets often have them.
ALIASES = {
    "姓名": "display_name",
    "手机号": "phone",
    "手机": "phone",
    "社区": "community",
    "name": "display_name",
}
PAIRING_ROLES = {
    "police": "police",
    "民警": "police",
    "auxiliary_police": "auxiliary_police",
    "辅警": "auxiliary_police",
}
MAX_ROWS = 10_000


REASONS = (
    "missing",
    "too_long",
    "bad_phone",
    "unknown_community",
    "bad_date",
    "bad_value",
    "duplicate_in_file",
    "already_registered",
    "not_your_community",
)


@dataclass(frozen=True)
class Reject:
    """One problem in one row: `field` is the CSV column, `reason` one of REASONS, `message` for people."""

    row: int
    field: str
    reason: str
    message: str


@dataclass(frozen=True)
class ImportRow:
    row: int
    fields: WatcherFields


@dataclass
class ParsedImport:
    rows: list[ImportRow]
    rejects: list[Reject]
    ignored_columns: list[str]
    data_rows: int

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({reject.row for reject in self.rejects})

    def reject_registered(self, registered: Mapping[str, str]) -> None:
        """Drop rows whose phone already belongs to an active watcher (`registered`: phone → watcher id)."""
        kept: list[ImportRow] = []
        for row in self.rows:
            watcher_id = registered.get(row.fields.phone)
            if watcher_id is None:
                kept.append(row)
            else:
                message = f"this phone is already registered to watcher {watcher_id}"
                self.rejects.append(Reject(row.row, "phone", "already_registered", message))
        self.rows = kept
        self.rejects.sort(key=lambda reject: reject.row)

    def reject_outside(self, covers: Callable[[str], bool]) -> None:
        """Drop rows of a community the importer does not cover (a community worker imports their own)."""
        kept: list[ImportRow] = []
        for row in self.rows:
            if covers(row.fields.community_code):
                kept.append(row)
            else:
                message = "not a community this account covers"
                self.rejects.append(Reject(row.row, "community", "not_your_community", message))
        self.rows = kept
        self.rejects.sort(key=lambda reject: reject.row)


# What spreadsheets save a CSV as: "CSV UTF-8" (with a BOM or without), Excel's "Unicode text" (UTF-16 with a
# BOM), and, from a Chinese Excel or WPS, plain "CSV" in the system's code page, GB18030 (GBK's superset).
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _looks_binary(text: str) -> bool:
    """A header with control characters, or many of them anywhere: a photo or an archive, not a sheet. A stray one
    in a cell is that row's problem (`bad_value`), not the file's."""
    header = text.split("\n", 1)[0].rstrip("\r")
    controls = len(_CONTROL.findall(text))
    return bool(_CONTROL.search(header)) or controls > max(len(text) // 20, 0)


def decode(content: bytes) -> str:
    """The text of an uploaded CSV, in whichever encoding a spreadsheet saved it; not text at all: refused."""
    encoding = next((name for bom, name in _BOMS if content.startswith(bom)), None)
    for candidate in [encoding] if encoding else ["utf-8", "gb18030"]:
        try:
            text = content.decode(candidate)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise InvalidInput("file", "not a text file (control characters in the header or throughout)")
        return text
    raise InvalidInput("file", "neither UTF-8 nor GB18030 text; save the sheet as “CSV UTF-8”")


def parse_watchers_csv(text: str, communities: Mapping[str, str]) -> ParsedImport:
    """`communities` maps each community code and Chinese name to its code."""
    first_line = text.split("\n", 1)[0]
    tabbed = "\t" in first_line and "," not in first_line  # Excel's "Unicode text" separates by tabs
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if tabbed else ",")
    try:
        return _parse(reader, communities)
    except csv.Error as error:  # a field over csv's limit (128 KiB), or a quote that never closes
        raise InvalidInput("file", f"not readable as CSV near row {reader.line_num}: {error}") from None


def _parse(reader: Any, communities: Mapping[str, str]) -> ParsedImport:
    header = next(reader, None)
    if header is None:
        raise InvalidInput("file", "the file is empty; the first row must name the columns")
    names = [ALIASES.get(name.strip(), name.strip().lower()) for name in header]
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing:
        raise InvalidInput(
            "file", f"missing column(s) {', '.join(missing)}; the columns are {', '.join(COLUMNS)}"
        )
    parsed = ParsedImport(
        rows=[], rejects=[], ignored_columns=[n for n in names if n not in COLUMNS], data_rows=0
    )
    first_row_with_phone: dict[str, int] = {}
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        parsed.data_rows += 1
        if parsed.data_rows > MAX_ROWS:
            raise InvalidInput("file", f"more than {MAX_ROWS} rows; split the file")
        record = {name: value.strip() for name, value in zip(names, values, strict=False)}
        row = reader.line_num
        # PostgreSQL's text cannot hold a NUL character.
        problems = [
            (column, "bad_value", "must not contain a NUL character")
            for column, value in record.items()
            if column in COLUMNS and "\x00" in value
        ]
        fields = _read_row(record, communities, problems)
        if fields is not None:
            earlier = first_row_with_phone.setdefault(fields.phone, row)
            if earlier != row:
                problems.append(("phone", "duplicate_in_file", f"same phone as row {earlier}"))
        parsed.rejects += [Reject(row, column, reason, message) for column, reason, message in problems]
        if not problems and fields is not None:
            parsed.rows.append(ImportRow(row, fields))
    return parsed


def _read_row(
    record: dict[str, str], communities: Mapping[str, str], problems: list[tuple[str, str, str]]
) -> WatcherFields | None:
    name = record.get("display_name", "")
    if not name:
        problems.append(("display_name", "missing", "a name is required"))
    elif len(name) > 100:
        problems.append(("display_name", "too_long", "at most 100 characters"))
    phone = ""
    if not record.get("phone"):
        problems.append(("phone", "missing", "a phone is required"))
    else:
        try:
            phone = normalise_phone(record["phone"])
        except ValueError:
            problems.append(("phone", "bad_phone", f"not {PHONE_RULE}"))
    community = communities.get(record.get("community", ""))
    if not record.get("community"):
        problems.append(("community", "missing", "a community code or name is required"))
    elif community is None:
        problems.append(
            ("community", "unknown_community", f"no community or village {record['community']!r}")
        )
    equipment = [
        EquipmentIssue(item=item, issued_on=issued)
        for item, column in (("red_armband", "armband_issued_on"), ("red_vest", "vest_issued_on"))
        if (issued := _date(record, column, problems)) is not None
    ]
    pairings = _pairings(record, problems)
    if problems:
        return None
    try:
        return WatcherFields(
            display_name=name,
            phone=phone,
            community_code=community,
            preferred_language=record.get("preferred_language") or "zh-CN",
            equipment=equipment,
            pairings=pairings,
        )
    except ValidationError as error:
        for detail in error.errors():
            problems.append((str(detail["loc"][0]), "bad_value", detail["msg"]))
        return None


def _date(record: dict[str, str], column: str, problems: list[tuple[str, str, str]]) -> date | None:
    if not record.get(column):
        return None
    try:
        return date.fromisoformat(record[column])
    except ValueError:
        problems.append((column, "bad_date", "a date like 2026-03-01"))
        return None


def _pairings(record: dict[str, str], problems: list[tuple[str, str, str]]) -> list[Pairing]:
    given = {column: record.get(column, "") for column in OPTIONAL_COLUMNS if column.startswith("pairing_")}
    if not any(given.values()):
        return []
    role = PAIRING_ROLES.get(given["pairing_role"])
    if role is None:
        problems.append(("pairing_role", "bad_value", "police or auxiliary_police (民警/辅警)"))
    if not given["pairing_name"]:
        problems.append(("pairing_name", "missing", "a paired officer needs a name"))
    if role is None or not given["pairing_name"]:
        return []
    try:
        pairing = Pairing(
            role=role,
            name=given["pairing_name"],
            badge=given["pairing_badge"] or None,
            station=given["pairing_station"] or None,
        )
    except ValidationError as error:
        for detail in error.errors():
            problems.append((f"pairing_{detail['loc'][0]}", "too_long", detail["msg"]))
        return []
    return [pairing]
