"""The CloudEvents envelope: what goes out comes back the same; what is wrong is named, never crashes."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.events.envelope import PoisonMessage, encode_data, new_envelope, parse_envelope, parse_event
from shared.events.registry import all_event_models
from tests.support.probes import a_report


def test_an_event_round_trips_through_headers_and_body():
    report = a_report()
    envelope = new_envelope(report, source="/services/patrol")
    event = parse_event(envelope.to_headers(), encode_data(report))
    assert event.envelope == envelope
    assert event.data == report
    assert envelope.subject == str(report.report_id)
    assert envelope.correlation_id == envelope.id, "the first event of a story correlates to itself"


def test_headers_follow_the_cloudevents_amqp_binary_binding():
    envelope = new_envelope(a_report(), source="/services/patrol")
    headers = envelope.to_headers()
    assert headers["cloudEvents:specversion"] == "1.0"
    assert headers["cloudEvents:type"] == "hazard.reported"
    assert headers["cloudEvents:dataschema"] == "urn:grassroots:event:hazard.reported:v1"
    assert headers["cloudEvents:datacontenttype"] == "application/json"
    assert datetime.fromisoformat(headers["cloudEvents:time"]).tzinfo is not None


def test_unknown_fields_in_the_data_are_ignored():
    report = a_report()
    body = json.loads(encode_data(report))
    body["added_in_a_later_release"] = {"anything": True}
    envelope = new_envelope(report, source="/services/patrol")
    assert parse_event(envelope.to_headers(), json.dumps(body).encode()).data == report


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"cloudEvents:specversion": "0.3"}, "invalid-envelope"),
        ({"cloudEvents:id": "not-a-uuid"}, "invalid-envelope"),
        ({"cloudEvents:time": "yesterday"}, "invalid-envelope"),
        ({"cloudEvents:time": "2026-05-01T08:00:00"}, "invalid-envelope"),
        ({"cloudEvents:dataschema": "urn:grassroots:event:dispatch.assigned:v1"}, "invalid-envelope"),
        (
            {
                "cloudEvents:type": "hazard.exploded",
                "cloudEvents:dataschema": "urn:grassroots:event:hazard.exploded:v1",
            },
            "unknown-type",
        ),
        ({"cloudEvents:dataschema": "urn:grassroots:event:hazard.reported:v2"}, "unknown-type"),
    ],
)
def test_a_bad_envelope_is_poison_with_a_reason(change, reason):
    report = a_report()
    headers = new_envelope(report, source="/services/patrol").to_headers() | change
    with pytest.raises(PoisonMessage) as raised:
        parse_event(headers, encode_data(report))
    assert raised.value.reason == reason


def test_a_payload_that_fails_validation_names_the_field():
    report = a_report()
    body = json.loads(encode_data(report))
    body["severity"] = "apocalyptic"
    body["location"]["lat"] = 123
    headers = new_envelope(report, source="/services/patrol").to_headers()
    with pytest.raises(PoisonMessage) as raised:
        parse_event(headers, json.dumps(body).encode())
    assert raised.value.reason == "invalid-payload"
    assert "severity" in raised.value.detail and "location.lat" in raised.value.detail


@given(body=st.binary(max_size=200))
def test_any_body_either_parses_or_is_poison(body):
    headers = new_envelope(a_report(), source="/services/patrol").to_headers()
    try:
        parse_event(headers, body)
    except PoisonMessage as poison:
        assert poison.reason in {"invalid-json", "invalid-payload"}


@given(
    headers=st.dictionaries(
        st.sampled_from(
            [
                "cloudEvents:id",
                "cloudEvents:type",
                "cloudEvents:specversion",
                "cloudEvents:time",
                "cloudEvents:dataschema",
                "cloudEvents:source",
                "other",
            ]
        ),
        st.one_of(st.text(max_size=40), st.binary(max_size=20), st.integers()),
    )
)
def test_arbitrary_headers_never_crash_the_parser(headers):
    try:
        parse_envelope(headers)
    except PoisonMessage as poison:
        assert poison.reason == "invalid-envelope"


@given(offset_minutes=st.integers(min_value=-720, max_value=840), causation=st.booleans())
def test_envelope_times_and_ids_survive_the_round_trip(offset_minutes, causation):
    zone = timezone(timedelta(minutes=offset_minutes))
    time = datetime(2026, 4, 4, 9, 30, tzinfo=UTC).astimezone(zone)
    envelope = new_envelope(
        a_report(), source="/services/patrol", time=time, causation_id=uuid.uuid4() if causation else None
    )
    assert parse_envelope(envelope.to_headers()) == envelope


def test_every_catalogued_event_has_a_described_schema():
    for model in all_event_models():
        assert model.__doc__, f"{model.event_type} needs a docstring"
        schema = model.model_json_schema()
        assert schema["type"] == "object"
        assert model.subject_field is None or model.subject_field in model.model_fields
