"""Open311 GeoReport v2 parameters and shapes: date windows, statuses, attributes, XML element names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest

from services.patrol.domain.open311 import (
    Open311Error,
    attributes_from,
    parse_datetime,
    parse_statuses,
    render,
    search_window,
    w3c,
)

NOW = datetime(2026, 4, 4, 9, 0, tzinfo=UTC)


def test_datetimes_are_written_with_the_district_offset():
    assert w3c(datetime(2026, 4, 4, 9, 30, 15, 123, tzinfo=UTC)) == "2026-04-04T17:30:15+08:00"


@pytest.mark.parametrize(
    "raw",
    ["2026-04-04T17:00:00+08:00", "2026-04-04T09:00:00Z", "2026-04-04T17:00:00 08:00", "2026-04-04T17:00:00"],
)
def test_w3c_datetimes_parse_with_or_without_an_offset(raw):
    assert parse_datetime("start_date", raw) == datetime(2026, 4, 4, 9, 0, tzinfo=UTC)


def test_a_bad_datetime_is_a_400_naming_the_parameter():
    with pytest.raises(Open311Error) as error:
        parse_datetime("end_date", "yesterday")
    assert error.value.http_status == 400 and error.value.description.startswith("end_date")


def test_without_dates_the_window_is_the_last_90_days():
    window = search_window(None, None, NOW)
    assert (window.start, window.end) == (NOW - timedelta(days=90), NOW)


def test_a_range_longer_than_90_days_is_refused():
    with pytest.raises(Open311Error) as error:
        search_window(NOW - timedelta(days=91), NOW, NOW)
    assert error.value.http_status == 400 and "90 days" in error.value.description


def test_a_start_date_alone_reaches_at_most_90_days_forward():
    start = NOW - timedelta(days=200)
    assert search_window(start, None, NOW).end == start + timedelta(days=90)


@pytest.mark.parametrize(
    ("raw", "expected"), [("open", True), ("closed", False), ("open,closed", None), (None, None)]
)
def test_status_filters_are_open_closed_or_both(raw, expected):
    assert parse_statuses(raw) is expected


def test_a_status_other_than_open_or_closed_is_refused():
    with pytest.raises(Open311Error):
        parse_statuses("fixed")


def test_attributes_come_from_bracketed_keys_including_multi_value_lists():
    found = attributes_from(
        {"attribute[floor]": "3", "api_key": "k", "attribute[sides][]": "a"},
        {"attribute[sides][]": ["a", "b"]},
    )
    assert found == {"floor": "3", "sides": "a,b"}


def test_xml_uses_the_specs_element_names_for_lists():
    body, media = render([{"service_code": "x", "metadata": False, "zipcode": None}], "services", "xml")
    root = ElementTree.fromstring(body)
    assert media.startswith("text/xml")
    assert root.tag == "services" and [child.tag for child in root] == ["service"]
    assert root.find("service/metadata").text == "false"
    assert root.find("service/zipcode").text is None


def test_errors_render_as_errors_of_error_with_code_and_description():
    body, _ = render(Open311Error(403, "api_key: this API key is not valid").body(), "errors", "xml")
    root = ElementTree.fromstring(body)
    assert root.tag == "errors"
    assert root.find("error/code").text == "403"
    assert root.find("error/description").text.startswith("api_key")
