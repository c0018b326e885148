"""What the HTTP edge finds in request values before they reach PostgreSQL."""

from __future__ import annotations

import json

from shared.http.values import (
    INT64_MAX,
    INT64_MIN,
    MAX_JSON_DEPTH,
    MAX_PATH_PARAMETER_LENGTH,
    integer_problem,
    json_problems,
    pairs_problems,
    text_problem,
)


def test_text_with_a_nul_or_a_lone_surrogate_is_refused_and_other_text_kept():
    assert text_problem("a\x00b") and "NUL" in text_problem("a\x00b")
    assert text_problem("\ud800") and "surrogate" in text_problem("\ud800")
    assert text_problem("老马 reports 🙂") is None
    assert text_problem("") is None


def test_integers_must_fit_64_bits():
    assert integer_problem(str(INT64_MAX)) is None
    assert integer_problem(str(INT64_MIN)) is None
    assert integer_problem(str(INT64_MAX + 1))
    assert integer_problem(str(INT64_MIN - 1))
    assert integer_problem("not a number") is None  # the route's own validation answers that


def test_named_values_are_named_in_the_problem_printably():
    problems = pairs_problems("query", [("offset", "1"), ("name", "x\x00"), ("bad\x00key", "v")])
    assert [problem.loc for problem in problems] == [("query", "name"), ("query", "bad\\x00key")]
    json.dumps([problem.as_error() for problem in problems], ensure_ascii=False).encode("utf-8")


def test_json_body_problems_name_the_field():
    body = json.dumps({"note": "ok", "items": [{"text": "a\x00"}], "count": 2**64, "k\x00": 1})
    locs = {problem.loc: problem.msg for problem in json_problems(body.encode())}
    assert set(locs) == {("body", "items", 0, "text"), ("body", "count"), ("body", "k\\x00")}


def test_an_escaped_lone_surrogate_in_json_is_refused():
    [problem] = json_problems(b'{"reason": "\\ud800"}')
    assert problem.loc == ("body", "reason")


def test_nan_infinity_and_floats_beyond_double_are_refused():
    for body in (b'{"lat": NaN}', b'{"lat": Infinity}', b'{"lat": -Infinity}', b'{"lat": 1e400}'):
        [problem] = json_problems(body)
        assert problem.loc == ("body",)
    assert json_problems(b'{"lat": 41.8, "lng": 123.4}') == []


def test_deep_nesting_is_refused_and_no_json_is_left_to_the_route():
    deep = b"[" * (MAX_JSON_DEPTH + 2) + b"]" * (MAX_JSON_DEPTH + 2)
    assert json_problems(deep)
    assert json_problems(b"[" * 100_000) == []  # not JSON: FastAPI answers it
    assert json_problems(b"{not json") == []


def test_a_path_parameter_is_an_identifier_of_bounded_length():
    [problem] = pairs_problems("path", [("unit_id", "长" * (MAX_PATH_PARAMETER_LENGTH + 1))])
    assert problem.loc == ("path", "unit_id")
    assert pairs_problems("path", [("unit_id", "长" * MAX_PATH_PARAMETER_LENGTH)]) == []
    assert pairs_problems("query", [("q", "长" * 1000)]) == []
