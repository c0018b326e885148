"""What can go wrong with a command: the shared domain errors (`shared.errors`), which every service's API
answers the same way."""

from __future__ import annotations

from services.dispatch.domain.lifecycle import InvalidTransition
from shared.errors import Forbidden, Invalid, NotFound, Unavailable

__all__ = ["CaseNotFound", "InvalidInput", "InvalidTransition", "NotAllowed", "ReferenceNotLoaded"]


class CaseNotFound(NotFound):
    """404: no such case (or unit, or rule)."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what.replace(' ', '_')}_id", f"no {what} {key}")
        self.what = what


class NotAllowed(Forbidden):
    """403: the caller may not act on this case (not a member of its unit, not its reporter...)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(field, message)


class InvalidInput(Invalid):
    """422: a field's value is wrong in a way the request schema cannot say."""


class ReferenceNotLoaded(Unavailable):
    """Units and rules are not loaded yet: a report cannot be routed (the consumer retries)."""
