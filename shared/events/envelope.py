"""CloudEvents 1.0 envelope, carried over AMQP 0-9-1 in binary mode.

Attributes travel as message headers prefixed `cloudEvents:`; the data is the JSON body.
`source` + `id` identify an event; `dataschema` carries the payload's schema version.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from shared.events.registry import EventData, UnknownEventType, model_for

SPEC_VERSION = "1.0"
HEADER_PREFIX = "cloudEvents:"
CONTENT_TYPE = "application/json"
# ASCII digits only, and few of them: a version is a small number, never a 5,000-digit one int() refuses.
_SCHEMA_RE = re.compile(r"urn:grassroots:event:(?P<type>[a-z0-9_.-]+):v(?P<version>[1-9][0-9]{0,8})")
_MAX_DETAIL = 500

D = TypeVar("D", bound=EventData)


def dataschema_for(event_type: str, version: int) -> str:
    return f"urn:grassroots:event:{event_type}:v{version}"


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Envelope:
    """The CloudEvents context attributes of one event."""

    id: uuid.UUID
    source: str
    type: str
    version: int
    time: datetime
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    subject: str | None = None

    @property
    def dataschema(self) -> str:
        return dataschema_for(self.type, self.version)

    def to_headers(self) -> dict[str, str]:
        headers = {
            "id": str(self.id),
            "source": self.source,
            "specversion": SPEC_VERSION,
            "type": self.type,
            "time": self.time.isoformat(),
            "datacontenttype": CONTENT_TYPE,
            "dataschema": self.dataschema,
            "correlationid": str(self.correlation_id),
        }
        if self.causation_id is not None:
            headers["causationid"] = str(self.causation_id)
        if self.subject is not None:
            headers["subject"] = self.subject
        return {HEADER_PREFIX + key: value for key, value in headers.items()}

    def log_context(self) -> dict[str, str]:
        return {
            "event_id": str(self.id),
            "event_type": self.type,
            "correlation_id": str(self.correlation_id),
        }


@dataclass(frozen=True)
class Event(Generic[D]):
    """An event as a handler sees it: validated data and its envelope."""

    envelope: Envelope
    data: D


class PoisonMessage(Exception):
    """A message that can never be processed, whatever the retries. `reason` is a short machine-readable code."""

    def __init__(self, reason: str, detail: str) -> None:
        detail = detail if len(detail) <= _MAX_DETAIL else detail[: _MAX_DETAIL - 1] + "…"
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def new_envelope(
    data: EventData,
    *,
    source: str,
    correlation_id: uuid.UUID | None = None,
    causation_id: uuid.UUID | None = None,
    event_id: uuid.UUID | None = None,
    time: datetime | None = None,
) -> Envelope:
    """Envelope a new event; with no correlation id, the event starts a new story and correlates to itself."""
    event_id = event_id or uuid.uuid4()
    return Envelope(
        id=event_id,
        source=source,
        type=data.event_type,
        version=data.version,
        time=time or now_utc(),
        correlation_id=correlation_id or event_id,
        causation_id=causation_id,
        subject=data.subject(),
    )


def encode_data(data: EventData) -> bytes:
    return data.model_dump_json().encode()


def _header(headers: Mapping[str, Any], name: str, *, required: bool = True) -> str | None:
    value = headers.get(HEADER_PREFIX + name)
    if isinstance(value, bytes):
        try:
            value = value.decode()
        except UnicodeDecodeError:
            raise PoisonMessage("invalid-envelope", f"{HEADER_PREFIX}{name} is not UTF-8 text") from None
    if value is None or value == "":
        if required:
            raise PoisonMessage("invalid-envelope", f"missing header {HEADER_PREFIX}{name}")
        return None
    if not isinstance(value, str):
        raise PoisonMessage(
            "invalid-envelope", f"{HEADER_PREFIX}{name} is a {type(value).__name__}, not a text header"
        )
    return value


def _uuid(headers: Mapping[str, Any], name: str, *, required: bool = True) -> uuid.UUID | None:
    raw = _header(headers, name, required=required)
    if raw is None:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise PoisonMessage("invalid-envelope", f"{HEADER_PREFIX}{name} is not a UUID: {raw!r}") from None


def parse_envelope(headers: Mapping[str, Any]) -> Envelope:
    """Read and check the CloudEvents attributes of a message; anything wrong is a PoisonMessage."""
    try:
        return _parse_envelope(headers)
    except PoisonMessage:
        raise
    except Exception as error:
        raise PoisonMessage("invalid-envelope", f"{type(error).__name__}: {error}") from None


def _parse_envelope(headers: Mapping[str, Any]) -> Envelope:
    spec = _header(headers, "specversion")
    if spec != SPEC_VERSION:
        raise PoisonMessage("invalid-envelope", f"unsupported specversion {spec!r}")
    event_type = _header(headers, "type")
    schema = _header(headers, "dataschema")
    match = _SCHEMA_RE.fullmatch(schema or "")
    if match is None or match["type"] != event_type:
        raise PoisonMessage("invalid-envelope", f"dataschema {schema!r} does not name type {event_type!r}")
    raw_time = _header(headers, "time")
    try:
        time = datetime.fromisoformat(raw_time or "")
    except ValueError:
        raise PoisonMessage("invalid-envelope", f"time is not RFC 3339: {raw_time!r}") from None
    if time.tzinfo is None:
        raise PoisonMessage("invalid-envelope", f"time has no timezone: {raw_time!r}")
    try:  # 9999-12-31T23:59-23:00 parses, but has no UTC instant a database or a log could hold
        time.astimezone(UTC)
    except OverflowError:
        raise PoisonMessage("invalid-envelope", f"time is out of range: {raw_time!r}") from None
    event_id = _uuid(headers, "id")
    assert event_id is not None
    return Envelope(
        id=event_id,
        source=_header(headers, "source") or "",
        type=event_type or "",
        version=int(match["version"]),
        time=time,
        correlation_id=_uuid(headers, "correlationid", required=False) or event_id,
        causation_id=_uuid(headers, "causationid", required=False),
        subject=_header(headers, "subject", required=False),
    )


def parse_event(headers: Mapping[str, Any], body: bytes) -> Event[EventData]:
    """Turn an AMQP message into a validated Event, or raise PoisonMessage saying why it cannot be.

    Nothing else escapes: whatever a message holds, it is either an event or poison with a reason."""
    try:
        return _parse_event(headers, body)
    except PoisonMessage:
        raise
    except Exception as error:  # RecursionError included: anything a message can make the parser raise
        raise PoisonMessage("undecodable", f"{type(error).__name__}: {error}") from None


def _parse_event(headers: Mapping[str, Any], body: bytes) -> Event[EventData]:
    envelope = parse_envelope(headers)
    try:
        model = model_for(envelope.type, envelope.version)
    except UnknownEventType as error:
        raise PoisonMessage("unknown-type", str(error)) from None
    try:
        payload = json.loads(body)
    except (
        ValueError,
        RecursionError,
    ) as error:  # not UTF-8, not JSON, a 5,000-digit number, nested too deep
        raise PoisonMessage("invalid-json", f"{type(error).__name__}: {error}") from None
    try:
        data = model.model_validate(payload)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or '(body)'}: {problem['msg']}"
            for problem in error.errors()
        )
        raise PoisonMessage("invalid-payload", f"{envelope.type} v{envelope.version}: {problems}") from None
    return Event(envelope=envelope, data=data)


__all__ = [
    "CONTENT_TYPE",
    "Envelope",
    "Event",
    "PoisonMessage",
    "encode_data",
    "new_envelope",
    "parse_envelope",
    "parse_event",
]
