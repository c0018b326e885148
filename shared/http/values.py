"""What PostgreSQL cannot store, found in request values before they reach it. No I/O.

Text columns refuse a NUL character, UTF-8 cannot encode a lone surrogate (JSON may escape one, `"\\ud800"`),
bigint columns hold 64 bits, and a float column or an equation given NaN or Infinity answers nonsense. Each
problem names where it is, as FastAPI's validation errors do: `("query", "offset")`, `("body", "items", 0)`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_JSON_DEPTH = 32
# Path parameters are identifiers and codes; some become primary keys, and a btree row holds at most ~2.7 kB.
MAX_PATH_PARAMETER_LENGTH = 200


@dataclass(frozen=True)
class Problem:
    loc: tuple[str | int, ...]
    msg: str
    type: str = "value_error"

    def as_error(self) -> dict[str, Any]:
        """FastAPI's shape of a validation error (without the input, which may not be printable)."""
        return {"loc": list(self.loc), "msg": self.msg, "type": self.type}


def text_problem(text: str) -> str | None:
    """Why the database cannot store `text`, or None."""
    if "\x00" in text:
        return "must not contain a NUL character (\\u0000)"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "must not contain a lone surrogate (not valid UTF-8)"
    return None


def integer_problem(text: str) -> str | None:
    """Why an integer parameter given as `text` does not fit 64 bits, or None (also when it is no integer:
    the route's own validation says so)."""
    try:
        value = int(text)
    except ValueError:
        return None
    if INT64_MIN <= value <= INT64_MAX:
        return None
    return f"must be between {INT64_MIN} and {INT64_MAX}"


def pairs_problems(where: str, pairs: Iterable[tuple[str, str]]) -> list[Problem]:
    """Problems of named text values (query parameters, path parameters, form fields)."""
    problems = []
    for name, value in pairs:
        problem = text_problem(name) or text_problem(value)
        if problem is None and where == "path" and len(value) > MAX_PATH_PARAMETER_LENGTH:
            problem = f"at most {MAX_PATH_PARAMETER_LENGTH} characters"
        if problem:
            problems.append(Problem((where, _printable(name)), problem))
    return problems


class _Refused(ValueError):
    pass


def _refuse_constant(name: str) -> float:
    raise _Refused(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(text)
    return value


NOT_JSON = object()


def checked_json(body: bytes) -> tuple[Any, list[Problem]]:
    """The parsed body (NOT_JSON if it is no JSON at all: the route says so) and its problems: text the
    database cannot store, integers beyond 64 bits, NaN or Infinity, nesting deeper than MAX_JSON_DEPTH."""
    try:
        document = json.loads(body, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _Refused as refused:
        return NOT_JSON, [Problem(("body",), f"{refused} is not a number JSON allows here", "float_parsing")]
    except (ValueError, RecursionError):
        return NOT_JSON, []
    problems: list[Problem] = []
    _walk(document, ("body",), problems)
    return document, problems


def json_problems(body: bytes) -> list[Problem]:
    return checked_json(body)[1]


def _walk(value: Any, loc: tuple[str | int, ...], problems: list[Problem]) -> None:
    if len(loc) - 1 > MAX_JSON_DEPTH:
        problems.append(Problem(loc, f"nested deeper than {MAX_JSON_DEPTH} levels"))
        return
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            problems.append(Problem(loc, problem))
    elif isinstance(value, bool) or value is None or isinstance(value, float):
        return
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            problems.append(Problem(loc, f"must be between {INT64_MIN} and {INT64_MAX}", "int_too_large"))
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = text_problem(key)
            if problem:
                problems.append(Problem((*loc, _printable(key)), f"a key that {problem}"))
            else:
                _walk(item, (*loc, key), problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, (*loc, index), problems)


def _printable(name: str) -> str:
    """A name safe to put in a JSON answer: NUL and lone surrogates escaped."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
