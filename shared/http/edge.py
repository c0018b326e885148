"""The edge of every service's app: a request holding what the database cannot store is refused with a 422
naming the field before any route runs, and a data error that still reaches the database answers 422, not 500.

`guard_request` is an app-wide dependency (FastAPI solves it before a route's own parameters and dependencies,
after it has read the body); the database errors that still get through are answered by `shared.http.problems`.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.params import Form
from fastapi.routing import APIRoute
from pydantic import BaseModel

from shared.http.fields import BLANK, datetime_problem, field_problems, is_datetime, requires_text
from shared.http.values import NOT_JSON, Problem, checked_json, integer_problem, pairs_problems

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass
class RouteShape:
    """What the edge needs to know of a route: its integer parameters, the models of its JSON body (with where
    each sits in the body) and its required text form fields."""

    integers: dict[str, frozenset[str]] = field(
        default_factory=lambda: {"path": frozenset(), "query": frozenset(), "body": frozenset()}
    )
    datetimes: dict[str, frozenset[str]] = field(
        default_factory=lambda: {"path": frozenset(), "query": frozenset(), "body": frozenset()}
    )
    json_models: list[tuple[tuple[str, ...], type[BaseModel]]] = field(default_factory=list)
    takes_form: bool = False
    required_form_text: frozenset[str] = frozenset()


_NO_ROUTE = RouteShape()
_shapes: dict[int, tuple[APIRoute, RouteShape]] = {}


async def guard_request(request: Request) -> None:
    """Refuse (422) path and query parameters, form fields and JSON bodies the database cannot store, integers
    beyond 64 bits, datetimes beyond the calendar in UTC, and required text that is only whitespace."""
    route = request.scope.get("route")
    shape = _shape_of(route) if isinstance(route, APIRoute) else _NO_ROUTE
    problems = _named_problems("path", list(request.path_params.items()), shape)
    problems += _named_problems("query", request.query_params.multi_items(), shape)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        problems += _json_body_problems(await request.body(), shape)
    elif content_type in _FORM_TYPES and shape.takes_form:
        form = await request.form()  # FastAPI parsed it already: this is its copy
        fields = [(name, value) for name, value in form.multi_items() if isinstance(value, str)]
        problems += _named_problems("body", fields, shape)
        problems += [
            Problem(("body", name), BLANK, "string_too_short")
            for name, value in fields
            if name in shape.required_form_text and not value.strip()
        ]
    if problems:
        raise RequestValidationError([problem.as_error() for problem in problems])


def _named_problems(where: str, pairs: list[tuple[str, str]], shape: RouteShape) -> list[Problem]:
    return (
        pairs_problems(where, pairs)
        + _typed_problems(where, pairs, shape.integers[where], integer_problem, "int_too_large")
        + _typed_problems(where, pairs, shape.datetimes[where], datetime_problem, "datetime_parsing")
    )


def _json_body_problems(body: bytes, shape: RouteShape) -> list[Problem]:
    document, problems = checked_json(body)
    if problems or document is NOT_JSON:
        return problems
    for loc, model in shape.json_models:
        value = document
        for key in loc[1:]:
            value = value.get(key) if isinstance(value, dict) else None
        problems += field_problems(model, value, loc)
    return problems


def _typed_problems(
    where: str, pairs: Any, names: frozenset[str], problem_of: Callable[[str], str | None], kind: str
) -> list[Problem]:
    if not names:
        return []
    return [
        Problem((where, name), problem, kind)
        for name, value in pairs
        if name in names and (problem := problem_of(value))
    ]


def _shape_of(route: APIRoute) -> RouteShape:
    # Keyed by id (a route is unhashable); the route is kept with its shape so that the id of one that is gone
    # (an app built and dropped, in tests) cannot lend its shape to a new one.
    known = _shapes.get(id(route))
    if known is None or known[0] is not route:
        known = _shapes[id(route)] = (route, _read_shape(route))
    return known[1]


def _read_shape(route: APIRoute) -> RouteShape:
    integers: dict[str, set[str]] = {"path": set(), "query": set(), "body": set()}
    datetimes: dict[str, set[str]] = {"path": set(), "query": set(), "body": set()}
    body_params = []
    dependants = [route.dependant]
    while dependants:
        dependant = dependants.pop()
        dependants.extend(dependant.dependencies)
        body_params += dependant.body_params
        for where, fields in (
            ("path", dependant.path_params),
            ("query", dependant.query_params),
            ("body", dependant.body_params),
        ):
            integers[where].update(f.alias for f in fields if _is_integer(f.field_info.annotation))
            datetimes[where].update(f.alias for f in fields if is_datetime(f.field_info.annotation))
    forms = [param for param in body_params if isinstance(param.field_info, Form)]
    models = [(param, _model(param.field_info.annotation)) for param in body_params]
    if len(body_params) == 1 and not forms and not getattr(body_params[0].field_info, "embed", False):
        json_models = [(("body",), model) for _, model in models if model is not None]
    else:
        json_models = [(("body", param.alias), model) for param, model in models if model is not None]
    return RouteShape(
        integers={where: frozenset(names) for where, names in integers.items()},
        datetimes={where: frozenset(names) for where, names in datetimes.items()},
        json_models=json_models,
        takes_form=bool(forms),
        required_form_text=frozenset(param.alias for param in forms if requires_text(param.field_info)),
    )


def _is_integer(annotation: Any) -> bool:
    if annotation is int:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, set, tuple, typing.Annotated):
        return any(_is_integer(arg) for arg in typing.get_args(annotation))
    return False


def _model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return next(filter(None, (_model(arg) for arg in typing.get_args(annotation))), None)
    return None
