"""What can go wrong with a watcher, shift or patrol command; the API turns each into a 4xx naming the field or state."""

from __future__ import annotations


class InvalidInput(ValueError):
    """A field's value is wrong (an unknown community, a slot that ends before it starts...): 422."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(LookupError):
    """The thing a path or field names does not exist (or is not the caller's): 404."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Conflict(Exception):
    """The command does not fit the current state (a patrol already open, a shift already cancelled): 409."""

    def __init__(self, state: str, message: str) -> None:
        super().__init__(message)
        self.state = state
        self.message = message
