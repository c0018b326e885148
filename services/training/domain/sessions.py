"""Places in a session: confirmed up to capacity, then a waiting list served first come, first served."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

Placement = Literal["confirmed", "waitlisted"]


def placement(confirmed: int, capacity: int) -> Placement:
    """Where a new enrolment goes: enrolling past capacity is not an error, it joins the waiting list."""
    return "confirmed" if confirmed < capacity else "waitlisted"


def promotions(capacity: int, confirmed: int, waiting: Sequence[str]) -> list[str]:
    """Who comes off the waiting list (in the order they joined it) when places are free."""
    free = max(capacity - confirmed, 0)
    return list(waiting[:free])
