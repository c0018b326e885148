"""A case's lifecycle: every state, every action, and the one table that says which action leads where.

assigned → accepted → in_progress → resolved → closed (verified, or by itself after a while), or reopened
(back to the unit); a unit can return a case (a dispatcher re-routes it); a withdrawn report cancels a case no
unit holds accepted; a dispatcher can merge a case into another. Escalation keeps the state and is audited too.
"""

from __future__ import annotations

from typing import Literal, get_args

from shared.errors import Conflict

Status = Literal[
    "assigned", "accepted", "in_progress", "resolved", "reopened", "returned", "closed", "cancelled", "merged"
]
Action = Literal[
    "open",
    "accept",
    "start",
    "resolve",
    "return",
    "reassign",
    "verify",
    "reopen",
    "auto_close",
    "withdraw",
    "merge",
    "escalate",
    "note",
]
STATUSES: tuple[Status, ...] = get_args(Status)
ACTIONS: tuple[Action, ...] = get_args(Action)

# Open: somebody still owes work on the case. Only open cases escalate, merge, or take merged reports.
OPEN: frozenset[Status] = frozenset({"assigned", "accepted", "in_progress", "reopened", "returned"})
FINAL: frozenset[Status] = frozenset({"closed", "cancelled", "merged"})

TRANSITIONS: dict[tuple[Status, Action], Status] = {
    ("assigned", "accept"): "accepted",
    ("accepted", "start"): "in_progress",
    ("reopened", "start"): "in_progress",
    ("accepted", "resolve"): "resolved",
    ("in_progress", "resolve"): "resolved",
    ("reopened", "resolve"): "resolved",
    ("assigned", "return"): "returned",
    ("accepted", "return"): "returned",
    ("in_progress", "return"): "returned",
    ("reopened", "return"): "returned",
    ("resolved", "verify"): "closed",
    ("resolved", "auto_close"): "closed",
    ("resolved", "reopen"): "reopened",
    ("assigned", "withdraw"): "cancelled",
    ("returned", "withdraw"): "cancelled",
    **{(status, "reassign"): "assigned" for status in OPEN},
    **{(status, "merge"): "merged" for status in OPEN},
    **{(status, "escalate"): status for status in OPEN},
    **{(status, "note"): status for status in STATUSES},
}


class InvalidTransition(Conflict):
    """409: the action is not allowed in the case's current state."""

    def __init__(self, current: str, action: str) -> None:
        allowed = allowed_actions(current)  # type: ignore[arg-type]
        super().__init__(
            f"cannot {action} a case that is {current}; allowed now: {', '.join(allowed) or 'nothing'}",
            state=current,
            current_status=current,
            action=action,
        )
        self.current = current
        self.action = action


def next_status(current: Status, action: Action) -> Status:
    """The state `action` leads to from `current`, or InvalidTransition naming the current state."""
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise InvalidTransition(current, action) from None


def allowed_actions(current: Status) -> list[Action]:
    return [action for (status, action) in TRANSITIONS if status == current and action != "note"]
