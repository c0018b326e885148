"""Open311 GeoReport v2: its parameters, its status words, its errors, and its JSON and XML shapes.

The XML element names follow the specification: `services/service`, `service_definition`, `attributes/attribute`,
`values/value`, `service_requests/request`, `service_request_updates/request_update`, `errors/error`, `discovery/endpoints/endpoint/formats/format`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.etree import ElementTree

from shared.clock import DISTRICT_TIMEZONE

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = (
    "2026-11-27T00:00:00+08:00"  # when this endpoint's definition last changed (discovery's changeset)
)
MAX_RESULTS = 1000
WINDOW = timedelta(days=90)
MAX_DESCRIPTION = 4000

# How list elements are named in XML: the list's element, then each item's.
_ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_request_updates": "request_update",
}

# mySociety's `servicerequestupdates` extension (what FixMyStreet reads to follow a request): each step of a
# report's case, in the extension's status words. Submitting is the request itself, not an update.
UPDATE_STATUS = {
    "assigned": "investigating",
    "returned": "investigating",
    "reassigned": "investigating",
    "accepted": "action_scheduled",
    "escalated": "in_progress",
    "reopened": "open",
    "resolved": "fixed",
    "closed": "closed",
    "merged": "duplicate",
    "cancelled": "no_further_action",
    "withdrawn": "closed",
}


def update_id(report_id: object, event_type: str, occurred_at: datetime) -> str:
    """Stable across calls, so a client that polls twice sees one update once."""
    digest = hashlib.sha256(f"{report_id}|{event_type}|{occurred_at.isoformat()}".encode()).hexdigest()
    return f"{report_id}-{digest[:10]}"


class Open311Error(Exception):
    """An error the spec's way: an HTTP status and a list of {code, description}."""

    def __init__(self, http_status: int, description: str) -> None:
        super().__init__(description)
        self.http_status = http_status
        self.description = description

    def body(self) -> list[dict[str, Any]]:
        return [{"code": self.http_status, "description": self.description}]


def bad_request(description: str) -> Open311Error:
    return Open311Error(400, description)


def w3c(moment: datetime | None) -> str | None:
    """A W3C datetime with the district's offset, e.g. 2026-04-04T17:00:00+08:00."""
    if moment is None:
        return None
    return moment.astimezone(DISTRICT_TIMEZONE).replace(microsecond=0).isoformat()


def parse_datetime(name: str, raw: str | None) -> datetime | None:
    """A W3C datetime (a date alone means its midnight); without an offset it is district time."""
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip().replace(" ", "+") if "T" in raw else raw.strip()  # '+' arrives as a space unencoded
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text), time())
        except ValueError:
            raise bad_request(
                f"{name}: {raw!r} is not a W3C datetime such as 2026-04-04T09:00:00+08:00"
            ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=DISTRICT_TIMEZONE)


def parse_list(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    items = [item.strip() for item in raw.split(",") if item.strip()]
    return items or None


def parse_float(name: str, raw: str | None) -> float | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        return float(raw)
    except ValueError:
        raise bad_request(f"{name}: {raw!r} is not a number") from None


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


def search_window(start: datetime | None, end: datetime | None, now: datetime) -> Window:
    """The spec's date range: at most 90 days; the last 90 days when neither end is given."""
    if start is None and end is None:
        return Window(now - WINDOW, now)
    if start is None:
        assert end is not None
        return Window(end - WINDOW, end)
    if end is None:
        return Window(start, min(start + WINDOW, max(now, start)))
    if end < start:
        raise bad_request("end_date: is before start_date")
    if end - start > WINDOW:
        raise bad_request("start_date, end_date: the range may not span more than 90 days")
    return Window(start, end)


def parse_statuses(raw: str | None) -> bool | None:
    """True for open only, False for closed only, None for both."""
    statuses = set(parse_list(raw) or [])
    unknown = statuses - {"open", "closed"}
    if unknown:
        raise bad_request(f"status: {sorted(unknown)} is not 'open' or 'closed'")
    if len(statuses) == 1:
        return "open" in statuses
    return None


def attributes_from(form: Mapping[str, str], multi: Mapping[str, list[str]]) -> dict[str, str]:
    """`attribute[code]=value` (and `attribute[code][]=a&attribute[code][]=b` for multi-value lists)."""
    found: dict[str, str] = {}
    for key, value in form.items():
        if key.startswith("attribute[") and key.endswith("]") and not key.endswith("[]"):
            found[key[len("attribute[") : -1]] = value
    for key, values in multi.items():
        if key.startswith("attribute[") and key.endswith("][]"):
            found[key[len("attribute[") : -3]] = ",".join(values)
    return found


def render(document: Any, root: str, fmt: str) -> tuple[str, str]:
    """The body and its media type; `root` names the XML root element (the spec's `services`, `errors`...)."""
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False), FORMATS["json"]
    element = _element(root, document)
    return (
        '<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(element, encoding="unicode"),
        FORMATS["xml"],
    )


def _element(name: str, value: Any) -> ElementTree.Element:
    element = ElementTree.Element(name)
    if isinstance(value, list):
        item_name = _ITEM_NAMES.get(name, "item")
        element.extend(_element(item_name, item) for item in value)
    elif isinstance(value, dict):
        element.extend(_element(key, item) for key, item in value.items())
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element
