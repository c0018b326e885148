"""The CloudEvents envelope: what goes out comes back the same; what is wrong is named, never crashes."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.events.envelope import (
    Event,
    PoisonMessage,
    encode_data,
    new_envelope,
    parse_envelope,
    parse_event,
)
from shared.events.registry import all_event_models
from shared.events.structured import to_structured
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
    assert headers["cloudEvents_specversion"] == "1.0"
    assert headers["cloudEvents_type"] == "hazard.reported"
    assert headers["cloudEvents_dataschema"] == "urn:grassroots:event:hazard.reported:v1"
    assert headers["cloudEvents_datacontenttype"] == "application/json"
    assert datetime.fromisoformat(headers["cloudEvents_time"]).tzinfo is not None


def test_unknown_fields_in_the_data_are_ignored():
    report = a_report()
    body = json.loads(encode_data(report))
    body["added_in_a_later_release"] = {"anything": True}
    envelope = new_envelope(report, source="/services/patrol")
    assert parse_event(envelope.to_headers(), json.dumps(body).encode()).data == report


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"cloudEvents_specversion": "0.3"}, "invalid-envelope"),
        ({"cloudEvents_id": "not-a-uuid"}, "invalid-envelope"),
        ({"cloudEvents_time": "yesterday"}, "invalid-envelope"),
        ({"cloudEvents_time": "2026-05-01T08:00:00"}, "invalid-envelope"),
        ({"cloudEvents_dataschema": "urn:grassroots:event:dispatch.assigned:v1"}, "invalid-envelope"),
        (
            {
                "cloudEvents_type": "hazard.exploded",
                "cloudEvents_dataschema": "urn:grassroots:event:hazard.exploded:v1",
            },
            "unknown-type",
        ),
        ({"cloudEvents_dataschema": "urn:grassroots:event:hazard.reported:v2"}, "unknown-type"),
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
                "cloudEvents_id",
                "cloudEvents_type",
                "cloudEvents_specversion",
                "cloudEvents_time",
                "cloudEvents_dataschema",
                "cloudEvents_source",
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
            {"cloudEvents_dataschema": "urn:grassroots:event:hazard.reported:v" + "9" * 5_000},
            "invalid-envelope",
        ),
        (None, {"cloudEvents_dataschema": "urn:grassroots:event:hazard.reported:v١"}, "invalid-envelope"),
        (None, {"cloudEvents_time": "9999-12-31T23:59:59-23:59"}, "invalid-envelope"),
        (None, {"cloudEvents_id": 1_700_000_000}, "invalid-envelope"),
        (None, {"cloudEvents_id": [1, 2]}, "invalid-envelope"),
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


@pytest.mark.parametrize("prefix", ["cloudEvents_", "cloudEvents:", "ce-", "ce_"])
def test_every_header_prefix_of_the_bindings_is_read(prefix):
    report = a_report()
    envelope = new_envelope(report, source="/services/patrol")
    headers = {
        prefix + key.removeprefix("cloudEvents_"): value for key, value in envelope.to_headers().items()
    }
    assert parse_event(headers, encode_data(report)) == Event(envelope, report)


def test_we_publish_with_the_current_amqp_binding_prefix():
    headers = new_envelope(a_report(), source="/services/patrol").to_headers()
    assert all(key.startswith("cloudEvents_") for key in headers)


@pytest.mark.parametrize("schema", [None, "https://schemas.example.org/hazard.json"])
def test_without_a_dataschema_of_ours_an_event_is_version_1(schema):
    report = a_report()
    headers = new_envelope(report, source="/services/patrol").to_headers()
    del headers["cloudEvents_dataschema"]
    if schema is not None:
        headers["cloudEvents_dataschema"] = schema
    assert parse_event(headers, encode_data(report)).envelope.version == 1


@pytest.mark.parametrize(
    "time",
    [1_780_000_000_000, datetime(2026, 5, 28, 20, 26, 40, tzinfo=UTC), datetime(2026, 5, 28, 20, 26, 40)],
)
def test_the_time_may_be_an_amqp_timestamp_or_milliseconds(time):
    report = a_report()
    headers = new_envelope(report, source="/services/patrol").to_headers() | {"cloudEvents_time": time}
    assert parse_event(headers, encode_data(report)).envelope.time == datetime(
        2026, 5, 28, 20, 26, 40, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "content_type", ["application/cloudevents+json", "application/cloudevents+json; charset=utf-8"]
)
def test_structured_mode_carries_the_whole_event_in_the_body(content_type):
    report = a_report()
    envelope = new_envelope(report, source="/services/patrol")
    body = json.dumps(to_structured(envelope, encode_data(report))).encode()
    assert parse_event({}, body, content_type) == Event(envelope, report)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[1]", "invalid-envelope"),
        (b"{not json", "invalid-json"),
        (b'{"specversion": "1.0"}', "invalid-envelope"),
    ],
)
def test_a_bad_structured_event_is_poison(body, reason):
    with pytest.raises(PoisonMessage) as raised:
        parse_event({}, body, "application/cloudevents+json")
    assert raised.value.reason == reason
