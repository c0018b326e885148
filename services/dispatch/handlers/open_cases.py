"""The lifecycle's open statuses as an SQL condition, written out rather than passed as a parameter: the partial
indexes of open cases (migration 0009) are used only where the planner can see the statement asks for no more
than they hold, which it cannot see through a parameter in a generic plan."""

from __future__ import annotations

from services.dispatch.domain.lifecycle import OPEN

OPEN_STATUSES_SQL = "(" + ", ".join(f"'{status}'" for status in sorted(OPEN)) + ")"
IS_OPEN = f"status IN {OPEN_STATUSES_SQL}"
