"""What can go wrong with a watcher, shift or patrol command: the shared domain errors (`shared.errors`), which
every service's API answers the same way, naming the field or the state."""

from __future__ import annotations

from shared import errors
from shared.errors import NotFound

__all__ = ["Conflict", "InvalidInput", "NotFound"]


class InvalidInput(errors.Invalid):
    """A field's value is wrong (an unknown community, a slot that ends before it starts...): 422."""


class Conflict(errors.Conflict):
    """The command does not fit the current state (a patrol already open, a shift already cancelled): 409."""

    def __init__(self, state: str, message: str) -> None:
        super().__init__(message, state=state)
