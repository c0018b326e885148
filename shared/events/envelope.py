"""CloudEvents 1.0 envelope, carried over AMQP 0-9-1.

Published in binary mode: attributes as message headers prefixed `cloudEvents_` (the AMQP binding's form, the
official SDKs'), the data as the JSON body. Read in every form a producer may use: `cloudEvents_`, `cloudEvents:`
(older producers, messages already on queues), `ce-` and `ce_` headers, or structured mode. `source` + `id` identify
an event; `dataschema`, when it is ours, carries the payload's schema version (absent: version 1).
"""

from __future__ import annotations

import base64
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
HEADER_PREFIX = "cloudEvents_"  # what we write
READ_PREFIXES = ("cloudEvents_", "cloudEvents:", "ce-", "ce_")  # what we read, in this order of preference
CONTENT_TYPE = "application/json"
STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"
_OUR_SCHEMAS = "urn:grassroots:event:"
# ASCII digits only, and few of them: a version is a small number, never a 5,000-digit one int() refuses.
_SCHEMA_RE = re.compile(r"urn:grassroots:event:(?P<type>[a-z0-9_.-]+):v(?P<version>[1-9][0-9]{0,8})")
_MAX_DETAIL = 500
_MAX_TRACE_HEADER = 512  # W3C: a traceparent is 55 characters; 512 of a tracestate is what all must keep

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
    # The CloudEvents distributed-tracing extension: the W3C trace context of the moment the event was emitted.
    traceparent: str | None = None
    tracestate: str | None = None

    @property
    def dataschema(self) -> str:
        return dataschema_for(self.type, self.version)

    @property
    def trace_context(self) -> tuple[str | None, str | None]:
        return self.traceparent, self.tracestate

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
        if self.traceparent is not None:
            headers["traceparent"] = self.traceparent
            if self.tracestate:
                headers["tracestate"] = self.tracestate
        return {HEADER_PREFIX + key: value for key, value in headers.items()}

    def log_context(self) -> dict[str, str]:
        context = {
            "event_id": str(self.id),
            "event_type": self.type,
            "correlation_id": str(self.correlation_id),
        }
        if self.traceparent is not None and len(self.traceparent) >= 35:
            context["trace_id"] = self.traceparent[
                3:35
            ]  # version-traceid-parentid-flags: a line finds its trace
        return context


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
    trace_context: tuple[str | None, str | None] = (None, None),
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
        traceparent=trace_context[0],
        tracestate=trace_context[1],
    )


def encode_data(data: EventData) -> bytes:
    return data.model_dump_json().encode()


class _Attributes:
    """The CloudEvents attributes of one message, by name, and where they were found (for the messages)."""

    def __init__(self, values: Mapping[str, Any], where: str) -> None:
        self._values = values
        self._where = where

    def text(self, name: str, *, required: bool = True) -> str | None:
        value = self._values.get(name)
        if isinstance(value, bytes):
            try:
                value = value.decode()
            except UnicodeDecodeError:
                raise PoisonMessage("invalid-envelope", f"{self.label(name)} is not UTF-8 text") from None
        if value is None or value == "":
            if required:
                raise PoisonMessage("invalid-envelope", f"missing {self.label(name)}")
            return None
        if not isinstance(value, str):
            raise PoisonMessage(
                "invalid-envelope", f"{self.label(name)} is a {type(value).__name__}, not text"
            )
        return value

    def trace_header(self, name: str) -> str | None:
        """A distributed-tracing attribute: text in the W3C header's own alphabet, or ignored. A trace context
        that cannot be read costs the trace its link, never the event its processing."""
        value = self._values.get(name)
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if not isinstance(value, str) or not value or len(value) > _MAX_TRACE_HEADER or not value.isascii():
            return None
        return value if value.isprintable() else None

    def uuid(self, name: str, *, required: bool = True) -> uuid.UUID | None:
        raw = self.text(name, required=required)
        if raw is None:
            return None
        try:
            return uuid.UUID(raw)
        except ValueError:
            raise PoisonMessage("invalid-envelope", f"{self.label(name)} is not a UUID: {raw!r}") from None

    def time(self) -> datetime:
        """RFC 3339 text, or what the AMQP binding also allows: a timestamp, or milliseconds since the epoch."""
        raw = self._values.get("time")
        if isinstance(raw, datetime):
            time = raw if raw.tzinfo is not None else raw.replace(tzinfo=UTC)  # AMQP timestamps are UTC
        elif isinstance(raw, int) and not isinstance(raw, bool):
            try:
                time = datetime.fromtimestamp(raw / 1000, UTC)
            except (OverflowError, ValueError, OSError):
                raise PoisonMessage(
                    "invalid-envelope", f"{self.label('time')} is out of range: {raw}"
                ) from None
        else:
            text = self.text("time") or ""
            try:
                time = datetime.fromisoformat(text)
            except ValueError:
                raise PoisonMessage("invalid-envelope", f"time is not RFC 3339: {text!r}") from None
            if time.tzinfo is None:
                raise PoisonMessage("invalid-envelope", f"time has no timezone: {text!r}")
        try:  # 9999-12-31T23:59-23:00 parses, but has no UTC instant a database or a log could hold
            time.astimezone(UTC)
        except OverflowError:
            raise PoisonMessage("invalid-envelope", f"time is out of range: {raw!r}") from None
        return time

    def label(self, name: str) -> str:
        return f"{self._where}{name}"


def _binary_attributes(headers: Mapping[str, Any]) -> _Attributes:
    """The attributes under the first prefix that carries a specversion (one prefix per message, never a mix)."""
    for prefix in READ_PREFIXES:
        if prefix + "specversion" in headers:
            return _Attributes(
                {key[len(prefix) :]: value for key, value in headers.items() if key.startswith(prefix)},
                prefix,
            )
    return _Attributes({}, HEADER_PREFIX)


def parse_envelope(headers: Mapping[str, Any]) -> Envelope:
    """Read and check the CloudEvents attributes of a message in binary mode; anything wrong is a PoisonMessage."""
    return parse_attributes(_binary_attributes(headers))


def parse_attributes(attributes: _Attributes | Mapping[str, Any]) -> Envelope:
    """The envelope of CloudEvents attributes given by name (structured mode), or as read from headers."""
    if not isinstance(attributes, _Attributes):
        attributes = _Attributes(attributes, "")
    try:
        return _parse_attributes(attributes)
    except PoisonMessage:
        raise
    except Exception as error:
        raise PoisonMessage("invalid-envelope", f"{type(error).__name__}: {error}") from None


def _parse_attributes(attributes: _Attributes) -> Envelope:
    spec = attributes.text("specversion")
    if spec != SPEC_VERSION:
        raise PoisonMessage("invalid-envelope", f"unsupported specversion {spec!r}")
    event_type = attributes.text("type") or ""
    event_id = attributes.uuid("id")
    assert event_id is not None
    return Envelope(
        id=event_id,
        source=attributes.text("source") or "",
        type=event_type,
        version=_version(attributes.text("dataschema", required=False), event_type),
        time=attributes.time(),
        correlation_id=attributes.uuid("correlationid", required=False) or event_id,
        causation_id=attributes.uuid("causationid", required=False),
        subject=attributes.text("subject", required=False),
        traceparent=attributes.trace_header("traceparent"),
        tracestate=attributes.trace_header("tracestate"),
    )


def _version(schema: str | None, event_type: str) -> int:
    """`dataschema` is optional in CloudEvents: absent, or someone else's, it means version 1 of the type."""
    if schema is None or not schema.startswith(_OUR_SCHEMAS):
        return 1
    match = _SCHEMA_RE.fullmatch(schema)
    if match is None or match["type"] != event_type:
        raise PoisonMessage("invalid-envelope", f"dataschema {schema!r} does not name type {event_type!r}")
    return int(match["version"])


def is_structured(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == STRUCTURED_CONTENT_TYPE


def read_message(
    headers: Mapping[str, Any], body: bytes, content_type: str | None = None
) -> tuple[Envelope, bytes]:
    """The envelope and the data of a message in either content mode: binary (attributes in headers, the data as
    the body) or structured (`application/cloudevents+json`: the whole event as a JSON body)."""
    if not is_structured(content_type):
        return parse_envelope(headers), body
    try:
        event = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise PoisonMessage("invalid-json", f"{type(error).__name__}: {error}") from None
    if not isinstance(event, dict):
        raise PoisonMessage("invalid-envelope", "a structured event is a JSON object")
    envelope = parse_attributes(event)
    if "data" in event:
        return envelope, json.dumps(event["data"], ensure_ascii=False).encode()
    if isinstance(event.get("data_base64"), str):
        try:
            return envelope, base64.b64decode(event["data_base64"], validate=True)
        except ValueError:
            raise PoisonMessage("invalid-envelope", "data_base64 is not base64") from None
    raise PoisonMessage("invalid-envelope", "a structured event needs a data or data_base64 member")


def parse_event(headers: Mapping[str, Any], body: bytes, content_type: str | None = None) -> Event[EventData]:
    """Turn an AMQP message into a validated Event, or raise PoisonMessage saying why it cannot be.

    Every way a CloudEvent may arrive is read here: binary mode under any of `READ_PREFIXES`, or structured mode.
    Nothing else escapes: whatever a message holds, it is either an event or poison with a reason."""
    try:
        return _parse_event(headers, body, content_type)
    except PoisonMessage:
        raise
    except Exception as error:  # RecursionError included: anything a message can make the parser raise
        raise PoisonMessage("undecodable", f"{type(error).__name__}: {error}") from None


def _parse_event(headers: Mapping[str, Any], body: bytes, content_type: str | None) -> Event[EventData]:
    envelope, data_body = read_message(headers, body, content_type)
    try:
        model = model_for(envelope.type, envelope.version)
    except UnknownEventType as error:
        raise PoisonMessage("unknown-type", str(error)) from None
    try:
        payload = json.loads(data_body)
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
    "HEADER_PREFIX",
    "READ_PREFIXES",
    "STRUCTURED_CONTENT_TYPE",
    "Envelope",
    "Event",
    "PoisonMessage",
    "encode_data",
    "new_envelope",
    "parse_attributes",
    "parse_envelope",
    "parse_event",
    "read_message",
]
