"""One readable line per event, in the district's time zone."""

from __future__ import annotations

import json
from typing import Any

from shared.clock import DISTRICT_TIMEZONE
from shared.events.envelope import Envelope

_MAX_VALUE = 40


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def summarise(data: Any) -> str:
    if not isinstance(data, dict):
        return _short(data)
    parts = [f"{key}={_short(value)}" for key, value in data.items() if not isinstance(value, dict | list)]
    return " ".join(parts)


def line(envelope: Envelope, body: bytes) -> str:
    """The event in one line; a body that is not JSON is shown as undecodable, with its first bytes."""
    try:
        when = envelope.time.astimezone(DISTRICT_TIMEZONE).strftime("%m-%d %H:%M:%S")
    except OverflowError:  # the last hours of year 9999 have no local time here
        when = envelope.time.isoformat()
    try:
        summary = summarise(json.loads(body))
    except (ValueError, RecursionError):  # not UTF-8, not JSON, too deep, a number too long
        summary = f"undecodable body ({len(body)} bytes): {body[:60]!r}"
    return (
        f"{when}  {envelope.type:<28} {envelope.source:<18} id={str(envelope.id)[:8]} "
        f"story={str(envelope.correlation_id)[:8]}  {summary}"
    )
