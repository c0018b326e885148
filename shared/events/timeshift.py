"""Moving every moment inside an event's data by one offset, as a replayed stream moves its envelopes' times.

Which members are moments comes from the event's model in the catalogue (its `datetime` and `date` fields,
nested models, lists and optionals included), not from a list of names: a new event type shifts correctly as soon
as it is in the catalogue. Members the model does not know are kept as they are.
"""

from __future__ import annotations

import types
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from shared.events.registry import model_for


def shift_data(event_type: str, version: int, data: Any, offset: timedelta) -> Any:
    """`data` (the decoded JSON payload) with every datetime moved by `offset` and every date by its nearest whole number of days."""
    return _shift_model(model_for(event_type, version), data, offset)


def _shift_model(model: type[BaseModel], data: Any, offset: timedelta) -> Any:
    if not isinstance(data, dict):
        return data
    shifted = dict(data)
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key in shifted:
            shifted[key] = _shift(field.annotation, shifted[key], offset)
    return shifted


def _shift(annotation: Any, value: Any, offset: timedelta) -> Any:
    if value is None:
        return None
    origin = get_origin(annotation)
    if origin is Annotated:
        return _shift(get_args(annotation)[0], value, offset)
    if origin in (Union, types.UnionType):
        for option in get_args(annotation):
            if option is not type(None) and _holds_moments(option):
                return _shift(option, value, offset)
        return value
    if origin in (list, tuple, set, frozenset) and isinstance(value, list):
        item = get_args(annotation)[0] if get_args(annotation) else Any
        return [_shift(item, element, offset) for element in value]
    if origin is dict and isinstance(value, dict):
        item = get_args(annotation)[1] if len(get_args(annotation)) == 2 else Any
        return {key: _shift(item, element, offset) for key, element in value.items()}
    if annotation is datetime and isinstance(value, str):
        return (datetime.fromisoformat(value) + offset).isoformat()
    if annotation is date and isinstance(value, str):
        return (date.fromisoformat(value) + timedelta(days=round(offset / timedelta(days=1)))).isoformat()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _shift_model(annotation, value, offset)
    return value


def _holds_moments(annotation: Any) -> bool:
    """Whether a type is, or may contain, a datetime or a date (so a union's other options are not tried)."""
    if annotation in (datetime, date):
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_moments(arg) for arg in get_args(annotation))
