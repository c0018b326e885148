"""What can go wrong in a training command, each naming the field or the state at fault: the shared domain errors
(`shared.errors`), which every service's API answers the same way."""

from __future__ import annotations

from shared import errors
from shared.errors import Forbidden, Invalid, NotFound

__all__ = ["Conflict", "Forbidden", "Invalid", "NotFound"]


class Conflict(errors.Conflict):
    """The thing exists already (`field` names it), or the current state does not allow the command."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)
