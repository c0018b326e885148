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


_GOOD_HEADERS = new_envelope(a_report(), source="/services/patrol").to_headers()
_AMQP_VALUES = st.one_of(
    st.text(max_size=40),
    st.binary(max_size=20),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.datetimes(),
    st.decimals(allow_nan=False),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.sampled_from(
        ["9" * 5_000, "urn:grassroots:event:hazard.reported:v" + "9" * 5_000, "9999-12-31T23:59-23:59"]
    ),
)
_BODIES = st.one_of(
    st.binary(max_size=200),
    st.just(b""),
    st.integers(min_value=1, max_value=200_000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(min_value=4_000, max_value=6_000).map(lambda digits: b"9" * digits),
    st.just(encode_data(a_report())),
)


@given(
    change=st.dictionaries(st.sampled_from([*_GOOD_HEADERS, "other"]), _AMQP_VALUES, max_size=4),
    body=_BODIES,
)
def test_any_message_is_an_event_or_poison_and_nothing_else(change, body):
    try:
        event = parse_event(_GOOD_HEADERS | change, body)
    except PoisonMessage as poison:
        assert poison.reason and poison.detail is not None
    else:
        assert event.envelope.type == "hazard.reported"


@pytest.mark.parametrize(
    ("body", "change", "reason"),
    [
        (b"[" * 100_000 + b"]" * 100_000, {}, "invalid-json"),
        (b'{"report_id": ' + b"9" * 5_000 + b"}", {}, "invalid-json"),
        (b"", {}, "invalid-json"),
        (
            None,
            {"cloudEvents:dataschema": "urn:grassroots:event:hazard.reported:v" + "9" * 5_000},
            "invalid-envelope",
        ),
        (None, {"cloudEvents:dataschema": "urn:grassroots:event:hazard.reported:v١"}, "invalid-envelope"),
        (None, {"cloudEvents:time": "9999-12-31T23:59:59-23:59"}, "invalid-envelope"),
        (None, {"cloudEvents:time": 1_700_000_000}, "invalid-envelope"),
        (None, {"cloudEvents:id": [1, 2]}, "invalid-envelope"),
    ],
)
def test_what_used_to_escape_the_parser_is_poison_with_a_reason(body, change, reason):
    report = a_report()
    headers = new_envelope(report, source="/services/patrol").to_headers() | change
    with pytest.raises(PoisonMessage) as raised:
        parse_event(headers, encode_data(report) if body is None else body)
    assert raised.value.reason == reason
    assert len(raised.value.detail) <= 500


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
