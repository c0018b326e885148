"""The training pages' plain rules: the month's calendar, the charts, the reserve rows, the scoreboard."""

from __future__ import annotations

from datetime import date

from services.console.domain import calendar
from services.console.domain.charts import Bar, bar_chart
from services.console.domain.figures import figure_charts
from services.console.domain.training import chosen_cup, reserve_rows, scoreboard


def test_a_session_lands_on_its_day_in_the_districts_time():
    # 17:30 UTC on 31 March is 01:30 on 1 April in Shenyang.
    sessions = [{"session_id": "s-1", "starts_at": "2026-03-31T17:30:00+00:00"}]
    weeks = calendar.month_weeks(sessions, date(2026, 4, 1))
    days = {day.day: day for week in weeks for day in week}
    assert [s["session_id"] for s in days[date(2026, 4, 1)].sessions] == ["s-1"]
    assert days[date(2026, 4, 1)].sessions[0]["local_start"] == "01:30"
    assert not days[date(2026, 3, 31)].sessions
    assert all(week[0].day.weekday() == 0 for week in weeks), "weeks start on Monday"


def test_the_default_month_is_this_one_or_that_of_the_next_session():
    later = [{"starts_at": "2026-06-10T02:00:00+00:00"}]
    assert calendar.default_month(later, date(2026, 4, 15)) == date(2026, 6, 1)
    assert calendar.default_month(
        later + [{"starts_at": "2026-04-02T02:00:00+00:00"}], date(2026, 4, 15)
    ) == date(2026, 4, 1)
    assert calendar.default_month([], date(2026, 4, 15)) == date(2026, 4, 1)


def test_months_parse_and_shift_across_years():
    assert calendar.parse_month("2026-12") == date(2026, 12, 1)
    assert calendar.parse_month("2026-13") is None and calendar.parse_month("soon") is None
    assert calendar.shift(date(2026, 12, 1), 1) == date(2027, 1, 1)
    assert calendar.shift(date(2026, 1, 1), -1) == date(2025, 12, 1)


def test_a_chart_escapes_its_labels_and_describes_every_figure():
    svg = bar_chart("<b>", [Bar("a<script>", 1396), Bar("b", 8, highlight=True)], chart_id="c")
    assert "<script>" not in svg and "a&lt;script&gt;" in svg
    assert 'role="img"' in svg and "1,396" in svg and 'class="bar highlight"' in svg


def test_the_figures_include_the_articles():
    charts = figure_charts({"reserve": {"candidates": 290, "target": 290, "below_target": []}}, False, {})
    text = "".join(svg for _, svg in charts)
    for figure in ("8", "7", "16", "290", "1,396"):
        assert f">{figure}</text>" in text


def test_organisations_below_target_come_first_most_missing_first():
    pool = {
        "per_organisation": [
            {"code": "A", "street_code": "WG", "below_target": False, "missing": 0},
            {"code": "B", "street_code": "WG", "below_target": True, "missing": 1},
            {"code": "C", "street_code": "WG", "below_target": True, "missing": 2},
        ]
    }
    assert [row["code"] for row in reserve_rows(pool)] == ["C", "B", "A"]
    assert reserve_rows(None) == []


def test_the_scoreboard_measures_each_total_against_the_leader():
    lines = scoreboard(
        [{"person_id": "w0", "total": 280.0}, {"person_id": "w1", "total": 140.0}], {"w0": "张三"}
    )
    assert [line["share"] for line in lines] == [100.0, 50.0]
    assert [line["name"] for line in lines] == ["张三", "w1"]


def test_without_a_choice_the_cup_page_shows_the_newest_cup_with_results():
    cups = [
        {"competition_id": "c3", "status": "registration"},
        {"competition_id": "c2", "status": "published"},
        {"competition_id": "c1", "status": "published"},
    ]
    assert chosen_cup(cups, None)["competition_id"] == "c2"
    assert chosen_cup(cups, "c1")["competition_id"] == "c1"
    assert chosen_cup(cups, "c9") is None
    assert chosen_cup(cups[:1], None)["competition_id"] == "c3"
    assert chosen_cup([], None) is None
