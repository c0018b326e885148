"""CloudEvents in structured mode: one JSON object per event, as recorded streams keep them (JSON lines).

The attributes are the CloudEvents ones (`correlationid` and `causationid` are extensions); `data` is the payload.
A body that is not JSON is kept as it came, in `data_base64`, with why it could not be read in the `undecodable`
extension: a recording holds what was on the bus, and a replay publishes the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from shared.events.envelope import CONTENT_TYPE, HEADER_PREFIX, Envelope, PoisonMessage, parse_attributes


def to_structured(envelope: Envelope, body: bytes) -> dict[str, Any]:
    """The event as one CloudEvents JSON object."""
    attributes = {key.removeprefix(HEADER_PREFIX): value for key, value in envelope.to_headers().items()}
    try:
        return {**attributes, "data": json.loads(body)}
    except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, too deep, a number too long
        reason = f"invalid-json: {type(error).__name__}: {error}"[:200]
        return {**attributes, "undecodable": reason, "data_base64": base64.b64encode(body).decode()}


def from_structured(event: Mapping[str, Any]) -> tuple[Envelope, bytes]:
    """The envelope and body of a structured CloudEvent; a malformed one raises PoisonMessage."""
    if event.get("datacontenttype", CONTENT_TYPE) != CONTENT_TYPE:
        raise PoisonMessage("invalid-envelope", f"unsupported datacontenttype {event['datacontenttype']!r}")
    if "data" in event:
        body = json.dumps(event["data"], ensure_ascii=False).encode()
    elif "data_base64" in event:
        try:
            body = base64.b64decode(event["data_base64"], validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise PoisonMessage("invalid-envelope", "data_base64 is not base64") from None
    else:
        raise PoisonMessage("invalid-envelope", "a structured event needs a data or data_base64 member")
    return parse_attributes({key: value for key, value in event.items() if key not in _NOT_ATTRIBUTES}), body


_NOT_ATTRIBUTES = {"data", "data_base64", "undecodable"}


def read_stream(path: Path) -> Iterator[dict[str, Any]]:
    """The events of a JSON-lines file, skipping blank lines; a bad line names its number."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except (ValueError, RecursionError) as error:
                raise ValueError(f"{path}:{number}: not a JSON object: {error}") from None


def write_stream(path: Path, events: Iterable[Mapping[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for event in events:
            out.write(json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count
