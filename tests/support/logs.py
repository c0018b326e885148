"""Reading a service's captured log as an operator's log shipper would: one JSON object per line, nothing else."""

from __future__ import annotations

import json


def json_records(lines: list[str], service: str) -> list[dict]:
    """Every line of `service`'s stderr as a JSON object naming it; the first plain-text line fails the test."""
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            context = "\n".join(lines[max(0, number - 4) : number + 2])
            raise AssertionError(f"{service}: line {number} is not JSON: {line!r}\n\n{context}") from None
        assert isinstance(record, dict), f"{service}: line {number} is JSON but not an object: {line!r}"
        assert record.get("service") == service, f"{service}: line {number} names another service: {line!r}"
        records.append(record)
    return records
