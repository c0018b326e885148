"""CloudEvents in structured mode: one JSON object per event, as recorded streams keep them (JSON lines).

The attributes are the CloudEvents ones (`correlationid` and `causationid` are extensions); `data` is the payload.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from shared.events.envelope import CONTENT_TYPE, HEADER_PREFIX, Envelope, PoisonMessage, parse_envelope


def to_structured(envelope: Envelope, body: bytes) -> dict[str, Any]:
    """The event as one CloudEvents JSON object (the body must be JSON)."""
    attributes = {key.removeprefix(HEADER_PREFIX): value for key, value in envelope.to_headers().items()}
    return {**attributes, "data": json.loads(body)}


def from_structured(event: Mapping[str, Any]) -> tuple[Envelope, bytes]:
    """The envelope and JSON body of a structured CloudEvent; a malformed one raises PoisonMessage."""
    if "data" not in event:
        raise PoisonMessage("invalid-envelope", "a structured event needs a data member")
    if event.get("datacontenttype", CONTENT_TYPE) != CONTENT_TYPE:
        raise PoisonMessage("invalid-envelope", f"unsupported datacontenttype {event['datacontenttype']!r}")
    headers = {HEADER_PREFIX + key: value for key, value in event.items() if key != "data"}
    return parse_envelope(headers), json.dumps(event["data"], ensure_ascii=False).encode()


def read_stream(path: Path) -> Iterator[dict[str, Any]]:
    """The events of a JSON-lines file, skipping blank lines; a bad line names its number."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not a JSON object: {error}") from None


def write_stream(path: Path, events: Iterable[Mapping[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for event in events:
            out.write(json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count
