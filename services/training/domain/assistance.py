"""Targeted help for weak communities (沉浸式帮扶): open → followed_up → closed."""

from __future__ import annotations

from typing import Literal

from services.training.domain.errors import Conflict

AssistanceStatus = Literal["open", "followed_up", "closed"]
_NEXT: dict[AssistanceStatus, tuple[AssistanceStatus, ...]] = {
    "open": ("followed_up",),
    "followed_up": ("followed_up", "closed"),
    "closed": (),
}


def assistance_transition(current: AssistanceStatus, target: AssistanceStatus) -> AssistanceStatus:
    if target not in _NEXT[current]:
        raise Conflict("status", f"the assistance is {current}; cannot move to {target}")
    return target
