"""The district's training figures as charts: the source article's, and what the training service counts now."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from services.console.domain.charts import Bar, bar_chart

# The source article's figures (Dadong District, Shenyang), as published.
ARTICLE_PROGRAMMES = (
    ("书记沙龙", "Secretary salons", 8),
    ("书记大讲堂", "Lecture halls", 7),
    ("案例工坊课程", "Case workshop classes", 16),
    ("导师工作室", "Mentor studios", 5),
    ("结对帮带", "Mentor pairings", 20),
)
ARTICLE_PEOPLE = (
    ("社区（村）书记", "Secretaries", 145),
    ("后备干部", "Reserve candidates", 290),
    ("平安守望员", "Safety watchers", 1396),
    ("社工杯报名", "Social Worker Cup entrants", 1512),
    ("党课听众", "Party lesson audience", 126),
)
KINDS = {
    "salon": ("书记沙龙", "Salons"),
    "lecture_hall": ("书记大讲堂", "Lecture halls"),
    "case_workshop": ("案例工坊", "Case workshops"),
    "job_shadowing": ("跟岗锻炼", "Job shadowing"),
    "study_trip": ("外出学习", "Study trips"),
    "party_lesson": ("党课", "Party lessons"),
    "on_site_teaching": ("现场教学", "On-site teaching"),
    "course": ("课程", "Courses"),
}


def _pick(pair: tuple[str, str], english: bool) -> str:
    return pair[1] if english else pair[0]


def _street(names: dict[str, tuple[str, str]], code: str, english: bool) -> str:
    return _pick(names.get(code, (code, code)), english)


def figure_charts(
    statistics: dict[str, Any], english: bool, names: dict[str, tuple[str, str]]
) -> list[tuple[str, Markup]]:
    """(title, SVG) for each chart, in the page's language."""

    def title(zh: str, en: str) -> str:
        return en if english else zh

    charts = [
        (
            title("文章中的培训数字", "The article's training figures"),
            [Bar(_pick((zh, en), english), value) for zh, en, value in ARTICLE_PROGRAMMES],
        ),
        (
            title("文章中的人数", "The article's head counts"),
            [Bar(_pick((zh, en), english), value) for zh, en, value in ARTICLE_PEOPLE],
        ),
        (
            title("已举办的培训（按类别）", "Sessions held, by kind"),
            [
                Bar(_pick(KINDS.get(kind, (kind, kind)), english), row["held"])
                for kind, row in statistics.get("sessions_by_kind", {}).items()
            ],
        ),
        (
            title("各街道受训书记", "Secretaries trained, by street"),
            [
                Bar(_street(names, row["street_code"], english), row["secretaries_trained"])
                for row in statistics.get("per_street", [])
            ],
        ),
    ]
    reserve = statistics.get("reserve") or {}
    charts.append(
        (
            title("后备干部：现有与目标", "Reserve candidates: in the pool and the target"),
            [
                Bar(title("现有", "In the pool"), reserve.get("candidates", 0)),
                Bar(title("目标", "Target"), reserve.get("target", 0)),
                Bar(
                    title("低于目标的组织", "Organisations below target"),
                    len(reserve.get("below_target", [])),
                    highlight=True,
                ),
            ],
        )
    )
    for competition in statistics.get("competitions", []):
        charts.append(
            (
                f"{competition['title']}: " + title("各街道报名", "entrants by street"),
                [
                    Bar(_street(names, street, english), counts["registered"])
                    for street, counts in sorted(competition["per_street"].items())
                ],
            )
        )
    return [
        (name, bar_chart(name, bars, chart_id=f"chart-{index}"))
        for index, (name, bars) in enumerate(charts)
        if bars
    ]
