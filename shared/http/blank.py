"""Required text that is only whitespace counts as missing. No I/O.

A model field declared `str` with `min_length=1` (or more) says "something must be written here"; `"\\t \\n"`
has length 3 and says nothing. The edge applies this rule to every route's body, so no route or model has to
repeat it.
"""

from __future__ import annotations

import types
import typing
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from shared.http.values import Problem

BLANK = "must not be blank (only whitespace)"


def requires_text(field: FieldInfo) -> bool:
    """A text field that must hold at least one character."""
    return _is_text(field.annotation) and any(
        isinstance(item, annotated_types.MinLen) and item.min_length >= 1 for item in field.metadata
    )


def blank_problems(model: type[BaseModel], value: Any, loc: tuple[str | int, ...]) -> list[Problem]:
    """Required text fields of `model` (and of the models it nests) that `value`, the parsed JSON, leaves
    blank."""
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
            continue
        nested = _model_of(field.annotation)
        if nested is None:
            continue
        if isinstance(item, list):
            for index, element in enumerate(item):
                problems += blank_problems(nested, element, (*loc, key, index))
        else:
            problems += blank_problems(nested, item, (*loc, key))
    return problems


def _is_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_text(arg) for arg in typing.get_args(annotation))
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
