"""The dispatcher's board names an escalation in the reader's language, and says nothing of a case at its unit."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.console.api.web import templates
from services.console.domain.messages import translate


def _board(language: str, escalation_level: str) -> str:
    case = SimpleNamespace(
        case_id="c1",
        case_number="DD-2026-000001",
        urgency="soon",
        remaining_seconds=3600,
        countdown="01:00:00",
        category="fire.balcony",
        community_code="WG-TJ",
        unit_id="WG-office",
        escalation_level=escalation_level,
        status="escalated",
    )
    template = templates.env.get_template("desk_board.html")
    return template.render(
        board={"items": [case]},
        t=lambda key, **values: translate(language, key, **values),
        name_of=lambda code: code,
        local=lambda moment: moment,
        lang=language,
    )


@pytest.mark.parametrize(
    ("language", "level", "shown"),
    [("zh", "street", "已升级至街道"), ("en", "district", "escalated to the district")],
)
def test_an_escalated_case_says_where_to_in_the_readers_language(language, level, shown):
    html = _board(language, level)
    assert shown in html
    assert f"↑{level}" not in html


def test_a_case_still_at_its_unit_has_no_escalation_flag():
    assert 'class="flag"' not in _board("zh", "unit")
