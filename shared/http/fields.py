"""Checks that need to know a field's declared type, applied by the edge to every route's body and parameters
so that no route or model has to repeat them. No I/O.

- Required text that is only whitespace counts as missing: a `str` field with `min_length=1` (or more) says
  "something must be written here"; `"\\t \\n"` has length 3 and says nothing.
- A datetime whose offset takes it beyond year 1 or 9999 in UTC (`0001-01-01T00:00:00+14:00`) cannot be turned
  into the UTC instant the database stores.
"""

from __future__ import annotations

import types
import typing
from datetime import UTC, datetime
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from shared.http.values import Problem

BLANK = "must not be blank (only whitespace)"
OUT_OF_RANGE = "a date and time that is not between years 1 and 9999 in UTC"


def datetime_problem(text: str) -> str | None:
    """Why a datetime given as `text` cannot be stored, or None (also when it is no datetime: the route's own
    validation says so)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    try:
        value.astimezone(UTC)
    except OverflowError:
        return OUT_OF_RANGE
    return None


def is_datetime(annotation: Any) -> bool:
    return _holds(annotation, datetime)


def requires_text(field: FieldInfo) -> bool:
    """A text field that must hold at least one character."""
    return _is_text(field.annotation) and any(
        isinstance(item, annotated_types.MinLen) and item.min_length >= 1 for item in field.metadata
    )


def field_problems(model: type[BaseModel], value: Any, loc: tuple[str | int, ...]) -> list[Problem]:
    """Required text fields of `model` (and of the models it nests) that `value`, the parsed JSON, leaves
    blank, and its datetimes beyond what UTC can hold."""
    if not isinstance(value, dict):
        return []
    problems = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key not in value:
            continue
        item = value[key]
        if isinstance(item, str):
            if not item.strip() and requires_text(field):
                problems.append(Problem((*loc, key), BLANK, "string_too_short"))
            elif is_datetime(field.annotation) and (problem := datetime_problem(item)):
                problems.append(Problem((*loc, key), problem, "datetime_from_date_parsing"))
            continue
        nested = _model_of(field.annotation)
        if nested is None:
            continue
        if isinstance(item, list):
            for index, element in enumerate(item):
                problems += field_problems(nested, element, (*loc, key, index))
        else:
            problems += field_problems(nested, item, (*loc, key))
    return problems


def _is_text(annotation: Any) -> bool:
    return _holds(annotation, str)


def _holds(annotation: Any, kind: type) -> bool:
    """`annotation` is `kind`, or an optional or annotated `kind`."""
    if annotation is kind:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, typing.Annotated):
        return any(_holds(arg, kind) for arg in typing.get_args(annotation))
    return False


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, alone, optional or in a list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list, tuple, set):
        for arg in typing.get_args(annotation):
            model = _model_of(arg)
            if model is not None:
                return model
    return None
