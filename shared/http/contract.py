"""Each operation's OpenAPI entry documents every status it can answer and the roles it requires, derived from
the route itself where that is possible, so the document cannot drift from the code:

- a route that depends on `require(*roles)` or `scoped(*roles)` answers 401 without a valid token and 403 without
  one of the roles; `x-roles` lists them (an admin passes every check), and the description says so;
- a route with path parameters answers 404 (nothing there that the caller may see, or no route at all);
- a route with any parameter or body answers 422, and one with a body 400 when it cannot be parsed at all;
- a command (POST, PUT, PATCH, DELETE) answers 409: when the state does not allow it, and for any duplicate
  (`shared.http.problems` answers every unique violation so);
- the refusals its handlers raise that cannot be read from its signature are declared on the route:
  `responses=answers(404, 409)`.

Every refusal is documented as `application/problem+json` with the `Problem` schema.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic.json_schema import models_json_schema

from shared.http.problems import PROBLEM_JSON, FieldError, Problem

WHY = {
    400: "The body cannot be parsed (not UTF-8, not JSON, a broken form).",
    401: "No bearer token, or one that is not valid here.",
    403: "The token lacks the role, or does not cover the place or the thing.",
    404: "Nothing there that the caller may see.",
    409: "The current state does not allow it, or it exists already.",
    422: "A field's value is wrong; `errors` names each.",
    503: "Something it needs is not ready yet: try again.",
}
COMMANDS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route for the refusals its handlers raise."""
    return {status: {"description": WHY.get(status, HTTPStatus(status).phrase)} for status in statuses}


def roles_of(dependant: Dependant) -> tuple[str, ...] | None:
    """The roles the route's `require`/`scoped` dependencies ask for (empty: any valid token), None when open."""
    found: tuple[str, ...] | None = None
    pending = list(dependant.dependencies)
    while pending:
        dependency = pending.pop()
        pending.extend(dependency.dependencies)
        roles = getattr(dependency.call, "roles", None)
        if roles is not None:
            found = tuple(sorted({*(found or ()), *roles}))
    return found


def _derived(route: APIRoute) -> tuple[set[int], tuple[str, ...] | None]:
    statuses: set[int] = set()
    roles = roles_of(route.dependant)
    if roles is not None:
        statuses.add(401)
        if roles:
            statuses.add(403)
    if route.dependant.path_params:
        statuses.add(404)
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        pending.extend(dependant.dependencies)
        if dependant.path_params or dependant.query_params or dependant.header_params:
            statuses.add(422)
        if dependant.body_params:
            statuses |= {400, 422}
    return statuses, roles


def _roles_text(roles: tuple[str, ...]) -> str:
    if not roles:
        return "**Roles:** any valid bearer token."
    return f"**Roles:** {', '.join(f'`{role}`' for role in roles)} (or `admin`)."


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with every route's refusals and roles."""
    schema = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _, definitions = models_json_schema(
        [(Problem, "serialization"), (FieldError, "serialization")],
        ref_template="#/components/schemas/{model}",
    )
    components.update(definitions.get("$defs", {}))
    for context in routing.iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not context.include_in_schema:
            continue
        statuses, roles = _derived(route)
        for method in context.methods:
            if method in COMMANDS:
                statuses = statuses | {409}
            operation = schema["paths"].get(context.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            own = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
            for status in sorted(statuses | own):
                entry = responses.setdefault(str(status), {})
                if "content" not in entry or "HTTPValidationError" in str(entry["content"]):
                    entry["content"] = {PROBLEM_JSON: {"schema": _PROBLEM_REF}}
                if not entry.get("description") or entry["description"] in (
                    "Validation Error",
                    "Additional Response",
                ):
                    entry["description"] = WHY.get(status, HTTPStatus(status).phrase)
            if roles is not None:
                operation["x-roles"] = list(roles)
                text = _roles_text(roles)
                operation["description"] = (
                    f"{operation['description']}\n\n{text}" if operation.get("description") else text
                )
    for unused in ("HTTPValidationError", "ValidationError"):
        if not _mentions(schema, f"#/components/schemas/{unused}"):
            components.pop(unused, None)
    return schema


def _mentions(schema: dict[str, Any], ref: str) -> bool:
    import json

    return ref in json.dumps(schema)


def install_contract(app: FastAPI) -> None:
    """The app serves `document(app)` as its OpenAPI document."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
