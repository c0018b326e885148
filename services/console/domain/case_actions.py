"""Which buttons a unit's handler sees on a case, by its status (dispatch checks again on every action)."""

from __future__ import annotations

HANDLER_ACTIONS: dict[str, tuple[str, ...]] = {
    "assigned": ("accept", "return"),
    "accepted": ("resolve", "return"),
    "in_progress": ("resolve", "return"),
    "reopened": ("resolve", "return"),
}
# Statuses in which the reporter can confirm the fix.
VERIFIABLE = frozenset({"resolved"})


def handler_actions(status: str) -> tuple[str, ...]:
    return HANDLER_ACTIONS.get(status, ())


def may_verify(report: dict) -> bool:
    return report.get("status") in VERIFIABLE and bool(report.get("case_id"))
