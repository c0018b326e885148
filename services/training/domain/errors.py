"""What can go wrong in a training command, each naming the field or the state at fault (the API maps them)."""

from __future__ import annotations


class TrainingError(Exception):
    status = 400

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def detail(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class Invalid(TrainingError):
    """The input is well-formed but not acceptable (a person without the needed role...)."""

    status = 400


class NotFound(TrainingError):
    status = 404


class Conflict(TrainingError):
    """The thing exists already, or the current state does not allow the command."""

    status = 409


class Forbidden(TrainingError):
    status = 403
