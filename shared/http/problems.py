"""One error model for every service's HTTP API: each refusal is an RFC 9457 problem details document
(`application/problem+json`) with `type`, `title`, `status`, `detail` and `instance`, plus `field` or `state` when
it names one, and `errors` (each with `loc`, `field` and `reason`) for a 422.

The domain errors of `shared.errors` (raised by handlers), FastAPI's request validation, any `HTTPException` and
the database errors a request's values cause are all answered here; no service translates errors itself.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import DomainError

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:grassroots:problem:"

log = structlog.get_logger("shared.http.problems")


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where the value is: `body`, `query` or `path`, then the field.")
    field: str = Field(description="The field at fault, dotted (`location.lat`, `photos[0]`).")
    reason: str = Field(description="What is wrong with it.")
    type: str = Field("value_error", description="The kind of error (pydantic's error types).")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        description="Identifies the kind of problem.", examples=["urn:grassroots:problem:not-found"]
    )
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status.", examples=[404])
    detail: str = Field(description="What happened, for a person.")
    instance: str = Field(description="The request's path.")
    field: str | None = Field(None, description="The request field the problem is about, where there is one.")
    state: str | None = Field(None, description="The state that does not allow the command (409).")
    errors: list[FieldError] | None = Field(None, description="Each field at fault (422).")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **members: Any,
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + slug if slug else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update({name: value for name, value in members.items() if value is not None})
    return ProblemResponse(body, status_code=status, headers=headers)


def field_of(loc: list[str | int] | tuple[str | int, ...]) -> str:
    """`["body", "photos", 0, "name"]` → `photos[0].name`; the location alone when there is no field."""
    text = ""
    for part in loc[1:]:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or (str(loc[0]) if loc else "request")


def field_error(loc: list[str | int], reason: str, kind: str = "value_error") -> dict[str, Any]:
    return {"loc": list(loc), "field": field_of(loc), "reason": reason, "type": kind}


def invalid(request: Request, errors: list[dict[str, Any]], detail: str | None = None) -> ProblemResponse:
    summary = (
        detail or "; ".join(f"{error['field']}: {error['reason']}" for error in errors) or "invalid request"
    )
    return problem(request, 422, summary, slug="invalid", title="Invalid request", errors=errors)


async def answer_domain_error(request: Request, error: Exception) -> ProblemResponse:
    assert isinstance(error, DomainError)
    members: dict[str, Any] = {"field": error.field, "state": error.state, **error.extensions}
    if error.http_status == 422:
        members["errors"] = [
            field_error(getattr(error, "loc", ["body", error.field or "request"]), _reason(error))
        ]
    return problem(
        request,
        error.http_status,
        error.message,
        slug=error.slug,
        title=error.title,
        headers=error.headers,
        **members,
    )


def _reason(error: DomainError) -> str:
    return getattr(error, "reason", None) or error.message


async def answer_validation_error(request: Request, error: Exception) -> ProblemResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        field_error(
            list(item.get("loc", ["request"])), str(item.get("msg", "invalid")), str(item.get("type", ""))
        )
        for item in error.errors()
    ]
    return invalid(request, errors)


async def answer_http_exception(request: Request, error: Exception) -> ProblemResponse:
    """Routing's 404 and 405, and whatever still raises `HTTPException`, as problem details."""
    assert isinstance(error, StarletteHTTPException)
    detail = error.detail
    members: dict[str, Any] = {}
    if isinstance(detail, dict):
        members = {key: value for key, value in detail.items() if key != "message"}
        detail = detail.get("message", "")
    return problem(request, error.status_code, str(detail), headers=error.headers, **members)


async def answer_data_error(request: Request, error: Exception) -> ProblemResponse:
    """A value the database refused although the edge let it through: the client's input, so 422, but a
    defect of the edge, so logged as an error to fix."""
    _log_defect(request, error, "the database refused a request's value the edge let through")
    return invalid(request, [field_error(["request"], "holds a value the database cannot store")])


async def answer_constraint_violation(request: Request, error: Exception) -> ProblemResponse:
    """A constraint the route should have checked first (a unit that does not exist, a duplicate): the
    client's request, so 409 for a duplicate and 422 otherwise, logged as a defect of the route."""
    _log_defect(request, error, "a database constraint refused a request the route let through")
    constraint = getattr(error, "constraint_name", None) or "a constraint"
    if isinstance(error, asyncpg.UniqueViolationError):
        return problem(
            request,
            409,
            f"conflicts with what is already stored ({constraint})",
            slug="conflict",
            field=constraint,
        )
    reason = f"refused by {constraint}: names something that does not exist or is not allowed"
    return invalid(request, [field_error(["request"], reason)])


def _log_defect(request: Request, error: Exception, what: str) -> None:
    log.error(
        f"defect: {what}",
        method=request.method,
        path=request.url.path,
        error=f"{type(error).__name__}: {error}",
    )


def install_problems(app: FastAPI) -> None:
    """Every refusal of `app` answered as problem details."""
    app.add_exception_handler(DomainError, answer_domain_error)
    app.add_exception_handler(RequestValidationError, answer_validation_error)
    app.add_exception_handler(StarletteHTTPException, answer_http_exception)
    app.add_exception_handler(asyncpg.DataError, answer_data_error)
    app.add_exception_handler(asyncpg.ProgramLimitExceededError, answer_data_error)
    app.add_exception_handler(asyncpg.IntegrityConstraintViolationError, answer_constraint_violation)
