"""Which buttons a person sees on a case (dispatch checks again on every action)."""

from __future__ import annotations

# A unit's own actions, in the order its case page offers them.
HANDLER_ACTIONS = ("accept", "start", "resolve", "return")
# Statuses in which the reporter can confirm the fix.
VERIFIABLE = frozenset({"resolved"})


def handler_actions(case: dict) -> tuple[str, ...]:
    """What the case's own unit may do now: the handler's actions that dispatch allows in its status."""
    allowed = set(case.get("allowed_actions", ()))
    return tuple(action for action in HANDLER_ACTIONS if action in allowed)


def splittable_reports(case: dict) -> list[dict]:
    """The reports a dispatcher may take out of an open case: any but the one that opened it (and not withdrawn)."""
    if "merge" not in case.get(
        "allowed_actions", ()
    ):  # dispatch allows merging and splitting open cases only
        return []
    return [
        report
        for report in case.get("reports", ())
        if str(report["report_id"]) != str(case.get("primary_report_id")) and not report.get("withdrawn_at")
    ]


def may_verify(report: dict) -> bool:
    return report.get("status") in VERIFIABLE and bool(report.get("case_id"))


def is_units_case(case: dict, units: list[str]) -> bool:
    """The case is held by one of these units, or was escalated to one of them."""
    return case.get("unit_id") in units or (case.get("escalated_to") or None) in units
