"""What FastStream's AsyncAPI generator cannot say about our messages and queues, added to its document.

A subscriber written in another language needs two things the generated document leaves in prose or out:
- the CloudEvents attributes as a `headers` schema on every message (AMQP binary mode puts them in headers), with
  the message's own `type` and `dataschema` fixed;
- the queue arguments of each consumed queue (quorum type, delivery limit, dead-letter exchange and routing key), which
  a client declaring the queue must match exactly or the broker refuses it with PRECONDITION_FAILED.
"""

from __future__ import annotations

from typing import Any

from shared.events.envelope import CONTENT_TYPE, HEADER_PREFIX, SPEC_VERSION, dataschema_for
from shared.events.registry import EventData

HEADERS_SCHEMA = "CloudEventsHeaders"

_UUID = {"type": "string", "format": "uuid"}
_ATTRIBUTES: dict[str, dict[str, Any]] = {
    "id": {**_UUID, "description": "The event's id; a consumer's inbox ignores a second copy of it."},
    "source": {"type": "string", "description": "The service that published it, e.g. `/grassroots/patrol`."},
    "specversion": {"type": "string", "const": SPEC_VERSION},
    "type": {"type": "string", "description": "The event type, equal to the routing key."},
    "time": {"type": "string", "format": "date-time", "description": "When it happened (RFC 3339)."},
    "datacontenttype": {"type": "string", "const": CONTENT_TYPE},
    "dataschema": {
        "type": "string",
        "description": "`urn:grassroots:event:<type>:v<version>`; absent is read as version 1.",
    },
    "correlationid": {
        **_UUID,
        "description": "The story's id: the report that started it, carried by every step.",
    },
    "causationid": {**_UUID, "description": "The id of the event this one answers, when it answers one."},
    "subject": {"type": "string", "description": "What the event is about (a case's or report's id)."},
    "traceparent": {
        "type": "string",
        "description": "W3C trace context (CloudEvents distributed-tracing extension), present when tracing is on.",
    },
    "tracestate": {"type": "string", "description": "W3C trace state, with `traceparent`."},
}
_REQUIRED = ("id", "source", "specversion", "type", "time", "correlationid")


def headers_schema() -> dict[str, Any]:
    """The CloudEvents attributes as AMQP headers, as we publish them (we also read `cloudEvents:`, `ce-`, `ce_`)."""
    return {
        "type": "object",
        "description": (
            f"CloudEvents {SPEC_VERSION} context attributes in AMQP binary mode, each a header prefixed "
            f"`{HEADER_PREFIX}`. Structured mode (`application/cloudevents+json` body) is accepted too."
        ),
        "properties": {HEADER_PREFIX + name: schema for name, schema in _ATTRIBUTES.items()},
        "required": [HEADER_PREFIX + name for name in _REQUIRED],
        "additionalProperties": True,
    }


def message_headers(model: type[EventData]) -> dict[str, Any]:
    """The headers of one message: the common schema with this event's type and data schema fixed."""
    return {
        "allOf": [
            {"$ref": f"#/components/schemas/{HEADERS_SCHEMA}"},
            {
                "type": "object",
                "properties": {
                    f"{HEADER_PREFIX}type": {"const": model.event_type},
                    f"{HEADER_PREFIX}dataschema": {"const": dataschema_for(model.event_type, model.version)},
                },
            },
        ]
    }


def complete(
    document: dict[str, Any],
    models_by_channel: dict[str, type[EventData]],
    queue_arguments_by_channel: dict[str, dict[str, object]],
    exchange: str,
) -> dict[str, Any]:
    """Add the headers schema, each message's headers and each consumed queue's arguments to `document`."""
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})[HEADERS_SCHEMA] = headers_schema()
    messages = components.get("messages", {})
    for channel_name, channel in document.get("channels", {}).items():
        model = models_by_channel[channel_name]
        for reference in channel.get("messages", {}).values():
            message = messages[reference["$ref"].rsplit("/", 1)[-1]]
            message["headers"] = message_headers(model)
            message["correlationId"] = {"location": f"$message.header#/{HEADER_PREFIX}correlationid"}
            message.setdefault("contentType", CONTENT_TYPE)
        arguments = queue_arguments_by_channel.get(channel_name)
        if arguments is not None:
            channel["bindings"]["amqp"]["queue"]["x-arguments"] = dict(arguments)
            channel["bindings"]["amqp"]["queue"]["x-binding"] = {
                "exchange": exchange,
                "routingKey": model.event_type,
            }
    return document
