"""Every template of every seeded rule renders, in Chinese and English, from a real event of its type."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.notify.adapters.rendering import Renderer
from services.notify.context import TEMPLATES
from shared.events.catalogue.common import PersonRef
from shared.events.catalogue.dispatch import (
    DispatchAssigned,
    DispatchCancelled,
    DispatchEscalated,
    DispatchReassigned,
    DispatchReturned,
)
from shared.events.catalogue.hazard import HazardMerged
from shared.events.catalogue.issue import IssueReopened, IssueResolved
from shared.events.catalogue.patrol import PatrolShiftCancelled, PatrolShiftScheduled
from shared.events.catalogue.training import (
    ReserveCandidateAppointed,
    TrainingEnrolmentConfirmed,
    TrainingSessionCancelled,
)
from shared.reference import ReferenceBundle

AT = datetime(2026, 10, 1, 0, 30, tzinfo=UTC)
CASE = uuid.UUID("00000000-0000-0000-0000-00000000c45e")
WATCHER = PersonRef(kind="watcher", id="w-1")
EVENTS = [
    DispatchAssigned(
        case_id=CASE,
        report_ids=[uuid.uuid4()],
        unit_id="district-office",
        category="fire.balcony-storage",
        severity="high",
        community_code="WG-TJ",
        street_code="WG",
        deadline=AT,
        reason="r",
        assigned_at=AT,
    ),
    DispatchEscalated(
        case_id=CASE, level="street", escalated_to="district-office", deadline=AT, escalated_at=AT
    ),
    DispatchReturned(case_id=CASE, unit_id="district-office", reason="不属于本单位", returned_at=AT),
    DispatchReassigned(
        case_id=CASE,
        from_unit_id="a",
        to_unit_id="b",
        deadline=AT,
        reason="r",
        reassigned_by="d-1",
        reassigned_at=AT,
    ),
    DispatchCancelled(case_id=CASE, unit_id="district-office", reason="已自行清理", cancelled_at=AT),
    HazardMerged(
        report_id=uuid.uuid4(), case_id=CASE, primary_report_id=uuid.uuid4(), reporter=WATCHER, merged_at=AT
    ),
    IssueResolved(
        case_id=CASE,
        unit_id="district-office",
        report_ids=[uuid.uuid4()],
        reporters=[WATCHER],
        resolved_by="h",
        note="已清理",
        resolved_at=AT,
    ),
    IssueReopened(
        case_id=CASE, unit_id="u", reason="仍有纸箱", reopened_by=WATCHER, deadline=AT, reopened_at=AT
    ),
    PatrolShiftScheduled(
        shift_id="s-1",
        watcher_id="w-1",
        community_code="WG-TJ",
        starts_at=AT,
        ends_at=AT + timedelta(hours=4),
        scheduled_at=AT,
    ),
    PatrolShiftCancelled(shift_id="s-1", watcher_id="w-1", reason="天气", cancelled_at=AT),
    TrainingEnrolmentConfirmed(
        session_id="t-1", person_id="p-1", title="书记沙龙", place="党校", starts_at=AT, confirmed_at=AT
    ),
    TrainingSessionCancelled(
        session_id="t-1", reason="讲师临时有事", enrolled_person_ids=["p-1"], cancelled_at=AT
    ),
    ReserveCandidateAppointed(
        candidate_id="p-1", organisation_code="WG-TJ", post="社区党委书记", appointed_at=AT
    ),
]


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(TEMPLATES, ReferenceBundle.load())


def _templates_of(event_type: str) -> list[str]:
    """The seeded rules name their event's own folder, and `<folder>.reminder` for reminders."""
    return [name for name in (event_type, f"{event_type}.reminder") if (TEMPLATES / name).is_dir()]


@pytest.mark.parametrize("event", EVENTS, ids=lambda event: event.event_type)
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_the_event_renders_in_both_languages_without_blanks(renderer, event, language):
    values = {**event.model_dump(mode="python"), "recipient_name": "老马", "event_type": event.event_type}
    templates = _templates_of(event.event_type)
    assert templates, f"no template for {event.event_type}"
    for template in templates:
        text, used = renderer.render(template, "webhook", language, values)
        assert used == language
        assert "None" not in text and "{{" not in text
        assert len(text.strip().splitlines()) >= 2, "a subject line and a body"


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_a_cancelled_session_is_named_by_its_title_when_the_event_carries_it(renderer, language):
    event = TrainingSessionCancelled(
        session_id="s-34350f917916",
        reason="讲师临时有事",
        enrolled_person_ids=["p-1"],
        cancelled_at=AT,
        title="书记沙龙：老旧小区改造",
        starts_at=AT,
        place="大东区党群服务中心",
    )
    values = {**event.model_dump(mode="python"), "recipient_name": "老马", "event_type": event.event_type}
    text, _ = renderer.render(event.event_type, "webhook", language, values)
    assert "书记沙龙：老旧小区改造" in text and "大东区党群服务中心" in text
    assert "s-34350f917916" not in text


def _texts(renderer, event) -> list[str]:
    values = {**event.model_dump(mode="python"), "recipient_name": "老马", "event_type": event.event_type}
    channels = ["webhook", "sms"] if event.event_type == "dispatch.assigned" else ["webhook"]
    return [
        renderer.render(template, channel, language, values)[0]
        for template in _templates_of(event.event_type)
        for language in ("zh-CN", "en")
        for channel in channels
    ]


NAMING_THE_CASE = [e for e in EVENTS if "case_number" in type(e).model_fields]


@pytest.mark.parametrize("event", NAMING_THE_CASE, ids=lambda event: event.event_type)
def test_a_notice_names_the_case_by_its_short_number_when_the_event_carries_it(renderer, event):
    """Wherever a notice named the case by its id, it names it by its number once the event carries one."""
    naming = [index for index, text in enumerate(_texts(renderer, event)) if str(CASE)[:8] in text]
    numbered = _texts(renderer, event.model_copy(update={"case_number": "DD-2026-000123"}))
    for index in naming:
        assert "DD-2026-000123" in numbered[index] and str(CASE)[:8] not in numbered[index], numbered[index]


def test_the_assignment_notice_names_the_case():
    assert any(
        str(CASE)[:8] in text for text in _texts(Renderer(TEMPLATES, ReferenceBundle.load()), EVENTS[0])
    )
