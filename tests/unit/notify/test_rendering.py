"""Templates: Chinese by default, English on request, the channel's own template first."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from services.notify.adapters.rendering import Renderer, TemplateMissing
from services.notify.context import TEMPLATES
from shared.clock import DISTRICT_TIMEZONE
from shared.reference import ReferenceBundle


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(TEMPLATES, ReferenceBundle.load())


def _assigned() -> dict:
    return {
        "case_id": uuid.UUID("00000000-0000-0000-0000-000000000042"),
        "unit_id": "pm-1",
        "category": "fire.balcony-storage",
        "severity": "urgent",
        "community_code": "WG-TJ",
        "deadline": datetime(2026, 4, 8, 4, 0, tzinfo=DISTRICT_TIMEZONE),
        "reason": "fire.*",
        "recipient_name": "团结物业",
    }


def test_a_message_renders_in_chinese_with_district_time_and_category_name(renderer):
    text, language = renderer.render("dispatch.assigned", "webhook", "zh-CN", _assigned())
    assert language == "zh-CN"
    assert text.splitlines()[0] == "【新案件】阳台堆放杂物（紧急）"
    assert "请于 2026-04-08 04:00 前处置完毕" in text


def test_english_is_used_when_the_recipient_prefers_it_and_unknown_languages_fall_back_to_chinese(renderer):
    english, language = renderer.render("dispatch.assigned", "webhook", "en", _assigned())
    assert language == "en" and english.startswith("[New case]")
    _, fallback = renderer.render("dispatch.assigned", "webhook", "fr", _assigned())
    assert fallback == "zh-CN"


def test_a_channel_template_is_preferred_to_the_default(renderer):
    sms, _ = renderer.render("dispatch.assigned", "sms", "zh-CN", _assigned())
    assert sms.startswith("【大东区基层治理】") and len(sms) < 120


def test_every_seeded_rule_template_exists_in_both_languages():
    migration = (TEMPLATES.parent / "migrations" / "0002_rules.sql").read_text()
    for folder in TEMPLATES.iterdir():
        assert (folder / "default.zh-CN.txt.j2").exists() and (folder / "default.en.txt.j2").exists(), folder
    for name in ("dispatch.assigned", "patrol.shift.scheduled", "training.enrolment.confirmed"):
        assert f"'{name}'" in migration and (TEMPLATES / name).is_dir()
    with pytest.raises(TemplateMissing):
        Renderer(TEMPLATES).render("no.such", "log", "zh-CN", {})
