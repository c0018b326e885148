"""Structured CloudEvents and the one-line rendering of the operator tools: what they cannot decode they show."""

from __future__ import annotations

import pytest

from ops.render import line
from shared.events.envelope import PoisonMessage, encode_data, new_envelope
from shared.events.structured import from_structured, to_structured
from tests.support.probes import a_report

NOT_JSON = [b"\xffnot json", b"", b"[" * 100_000, b"9" * 5_000]


@pytest.mark.parametrize("body", NOT_JSON)
def test_a_body_that_is_not_json_renders_as_undecodable(body):
    envelope = new_envelope(a_report(), source="/services/patrol")
    rendered = line(envelope, body)
    assert "hazard.reported" in rendered and f"undecodable body ({len(body)} bytes)" in rendered


@pytest.mark.parametrize("body", NOT_JSON)
def test_a_body_that_is_not_json_is_kept_as_data_base64_and_replays_as_it_came(body):
    envelope = new_envelope(a_report(), source="/services/patrol")
    event = to_structured(envelope, body)
    assert event["undecodable"].startswith("invalid-json") and "data" not in event
    assert from_structured(event) == (envelope, body)


def test_a_json_body_round_trips_through_the_structured_form():
    report = a_report()
    envelope = new_envelope(report, source="/services/patrol")
    parsed, body = from_structured(to_structured(envelope, encode_data(report)))
    assert parsed == envelope and type(report).model_validate_json(body) == report


def test_a_structured_event_without_data_or_with_bad_base64_is_poison():
    event = to_structured(new_envelope(a_report(), source="/services/patrol"), b"\xff")
    with pytest.raises(PoisonMessage):
        from_structured({**event, "data_base64": "not base64!"})
    del event["data_base64"]
    with pytest.raises(PoisonMessage):
        from_structured(event)
