"""What can go wrong with a command, in words the API turns into 4xx answers."""

from __future__ import annotations

from services.dispatch.domain.lifecycle import InvalidTransition

__all__ = ["CaseNotFound", "InvalidInput", "InvalidTransition", "NotAllowed", "ReferenceNotLoaded"]


class CaseNotFound(LookupError):
    """404: no such case (or unit, or rule)."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"no {what} {key}")
        self.what = what


class NotAllowed(PermissionError):
    """403: the caller may not act on this case (not a member of its unit, not its reporter...)."""


class InvalidInput(ValueError):
    """400: a field's value is wrong in a way the request schema cannot say."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class ReferenceNotLoaded(RuntimeError):
    """Units and rules are not loaded yet: a report cannot be routed (the consumer retries)."""
