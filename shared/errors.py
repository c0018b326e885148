"""What a command can refuse, in the domain's words: every service's handlers raise these (or their own subclasses)
and `shared.http.problems` turns each into one HTTP answer, the same way for every service.

Each error names what it is about: the `field` of the request at fault (`unit_id`, `round`), and for a conflict
the `state` that does not allow the command. `extensions` carries further members the answer should hold
(a case's `current_status`, say).
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    http_status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        state: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.state = state
        self.headers = headers
        self.extensions = extensions


class NotFound(DomainError, LookupError):
    """404: no such thing that the caller may see (whether it exists elsewhere is not theirs to know)."""

    http_status = 404
    slug = "not-found"
    title = "Not found"

    def __init__(self, field: str, message: str, **extensions: Any) -> None:
        super().__init__(message, field=field, **extensions)


class Forbidden(DomainError, PermissionError):
    """403: the caller sees the thing, or names the place, but it is not theirs to act on."""

    http_status = 403
    slug = "forbidden"
    title = "Forbidden"

    def __init__(self, field: str | None, message: str, **extensions: Any) -> None:
        super().__init__(message, field=field, **extensions)


class Unauthorized(DomainError):
    """401: no bearer token, or one that is not valid here."""

    http_status = 401
    slug = "unauthorized"
    title = "Unauthorized"

    def __init__(self, message: str, challenge: str = "Bearer") -> None:
        super().__init__(message, headers={"WWW-Authenticate": challenge})


class Conflict(DomainError):
    """409: the command does not fit the current `state` (or what is stored already, under `field`)."""

    http_status = 409
    slug = "conflict"
    title = "Conflict"

    def __init__(
        self, message: str, *, state: str | None = None, field: str | None = None, **extensions: Any
    ) -> None:
        super().__init__(message, field=field, state=state, **extensions)


class Invalid(DomainError, ValueError):
    """422: a field's value is wrong in a way the request's schema cannot say. `where` is the part of the request
    that holds the field (`body`, `query`, `path`); `field` may be dotted or indexed (`followups[0].report_id`)."""

    http_status = 422
    slug = "invalid"
    title = "Invalid request"

    def __init__(
        self, field: str, reason: str, *, where: str = "body", loc: list[str | int] | None = None
    ) -> None:
        super().__init__(f"{field}: {reason}", field=field)
        self.reason = reason
        self.loc = loc if loc is not None else [where, *field.split(".")]


class Unavailable(DomainError):
    """503: something the command needs is not ready (reference data not loaded, a store busy): try again."""

    http_status = 503
    slug = "unavailable"
    title = "Service unavailable"

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        super().__init__(message, headers=headers)
