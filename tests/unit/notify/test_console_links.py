"""The case notices end with the console's page to act on when CONSOLE_PUBLIC_URL is set, and name the case by its
number and the units and communities by their names."""

from __future__ import annotations

import pytest

from services.notify.adapters.rendering import Renderer
from services.notify.context import TEMPLATES, NotifySettings
from shared.reference import ReferenceBundle
from tests.unit.notify.test_every_template import CASE, EVENTS

CONSOLE = "https://console.dadong.example"
PAGES = {
    "dispatch.assigned": f"/inbox/cases/{CASE}",
    "dispatch.escalated": f"/inbox/cases/{CASE}",
    "dispatch.reassigned": f"/inbox/cases/{CASE}",
    "issue.reopened": f"/inbox/cases/{CASE}",
    "dispatch.returned": f"/desk/cases/{CASE}",
    "hazard.merged": "/watcher",
    "issue.resolved": "/watcher",
}
CASE_EVENTS = [event for event in EVENTS if event.event_type in PAGES]
NUMBER = "DD-2026-000123"


def _values(event) -> dict:
    values = event.model_dump(mode="python") | {"case_number": NUMBER}
    return values | {"recipient_name": "老马", "event_type": event.event_type}


@pytest.fixture(scope="module")
def bundle() -> ReferenceBundle:
    return ReferenceBundle.load()


def test_every_case_notice_has_a_page():
    assert {event.event_type for event in CASE_EVENTS} == set(PAGES)


@pytest.mark.parametrize("event", CASE_EVENTS, ids=lambda event: event.event_type)
@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("channel", ["webhook", "sms"])
def test_a_case_notice_ends_with_the_console_page_when_the_url_is_set(bundle, event, language, channel):
    linked = Renderer(TEMPLATES, bundle, console_url=CONSOLE + "/")
    text, _ = linked.render(event.event_type, channel, language, _values(event))
    assert text.rstrip().endswith(CONSOLE + PAGES[event.event_type]), text
    assert NUMBER in text


@pytest.mark.parametrize("event", CASE_EVENTS, ids=lambda event: event.event_type)
@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("channel", ["webhook", "sms"])
def test_without_the_url_a_case_notice_has_no_link(bundle, event, language, channel):
    text, _ = Renderer(TEMPLATES, bundle).render(event.event_type, channel, language, _values(event))
    assert "http" not in text and "console" not in text.lower() and "控制台" not in text
    assert not text.rstrip().endswith(("：", ":")), text


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_units_and_communities_are_named_not_coded(bundle, language):
    renderer = Renderer(TEMPLATES, bundle)
    name = (lambda item: item.name_en) if language == "en" else (lambda item: item.name_zh)
    units = {unit.id: unit for unit in bundle.units}
    by_type = {event.event_type: event for event in CASE_EVENTS}
    assigned, _ = renderer.render(
        "dispatch.assigned", "webhook", language, _values(by_type["dispatch.assigned"])
    )
    assert name(bundle.organisation("WG-TJ")) in assigned and "WG-TJ" not in assigned
    escalated, _ = renderer.render(
        "dispatch.escalated", "webhook", language, _values(by_type["dispatch.escalated"])
    )
    assert name(units["district-office"]) in escalated
    reassigned = by_type["dispatch.reassigned"].model_copy(
        update={"from_unit_id": "greenery", "to_unit_id": "municipal-maintenance"}
    )
    text, _ = renderer.render("dispatch.reassigned", "webhook", language, _values(reassigned))
    assert name(units["greenery"]) in text and name(units["municipal-maintenance"]) in text


def test_the_setting_is_empty_by_default():
    assert NotifySettings(service_name="notify").console_public_url == ""
