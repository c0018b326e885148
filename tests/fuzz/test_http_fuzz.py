"""Schemathesis over the four services' OpenAPI documents, against the real apps on the real PostgreSQL and
RabbitMQ: whatever a request holds, no answer is a 5xx, and every answer is one its operation documents, with
the documented content type and a body that matches the documented schema.

Each service is fuzzed with an admin token and one narrower role; the admin writes that replace reference data
(units, routing rules, notification rules, secretaries, Open311 keys) run last, so they do not spoil the
reference data the other operations read. Derandomised and bounded: the same cases on every run, a few minutes
in all.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from shared.auth import issue_token

EXAMPLES_PER_OPERATION = 6

# Values PostgreSQL or Python refuse, mixed into what schemathesis generates wherever the schema allows them:
# NUL, whitespace-only text, text too long for a btree index row (2.7 kB, incompressible),
# dates at the ends of the calendar, integers just beyond 64 bits, floats at the ends of the double range.
# (Lone surrogates cannot go in a dictionary, whose entries are checked against the schema in Rust: they are
# in test_edge_refusals.py.)
LONG_INCOMPRESSIBLE = "".join(chr(0x4E00 + (index * 7919) % 20000) for index in range(1200))
HOSTILE = {
    "text": [
        "a\x00b",
        "\x00",
        "\t \n",
        LONG_INCOMPRESSIBLE,
        "9999-12-31",
        "0001-01-01",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
    ],
    "integers": [2**63, -(2**63) - 1, 2**64, 2**63 - 1, -(2**63)],
    "numbers": [1e308, -1e308, 5e-324],
}
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261201,
        "dictionaries": {name: {"values": values} for name, values in HOSTILE.items()},
        "generation": {
            "mode": "all",
            "max-examples": EXAMPLES_PER_OPERATION,
            "deterministic": True,
            "dictionaries": {
                "string": {"dictionary": "text", "probability": 0.3},
                "integer": {"dictionary": "integers", "probability": 0.3},
                "number": {"dictionary": "numbers", "probability": 0.3},
            },
        },
        # No stateful links. The coverage phase keeps its boundary values within the schema (those beyond it,
        # refused by validation, are thousands of 422s) and leaves out the methods an operation does not have
        # (FastAPI answers those 405 before any code of ours runs).
        "phases": {
            "stateful": {"enabled": False},
            "coverage": {"unexpected-methods": [], "generation": {"mode": "positive"}},
        },
    }
)

# The narrower role of each service, beside admin.
NARROW_ROLE = {"patrol": "watcher", "dispatch": "dispatcher", "notify": "dispatcher", "training": "trainer"}

# Admin writes that replace reference data: fuzzed last, after every other operation of the service.
REFERENCE_WRITES = {
    "patrol": r"^/open311/keys",
    "dispatch": r"^/admin/",
    "notify": r"^/rules",
    "training": r"^/(organisations/.*/secretary|tracks/)",
}

RUNS = [
    (service, role, part)
    for service in ("patrol", "dispatch", "notify", "training")
    for role, part in ((NARROW_ROLE[service], "all"), ("admin", "other"), ("admin", "reference writes"))
]


@pytest.fixture(params=RUNS, ids=["-".join(run).replace(" ", "_") for run in RUNS])
def api_schema(request, fuzz_broker_cleanup, fuzz_apps: dict[str, FastAPI]):
    service, role, part = request.param
    app = fuzz_apps[service]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)
    writes = REFERENCE_WRITES[service]
    if part == "other":
        schema = schema.exclude(path_regex=writes, method=["PUT", "POST", "DELETE", "PATCH"])
    elif part == "reference writes":
        schema = schema.include(path_regex=writes, method=["PUT", "POST", "DELETE", "PATCH"])
    token = issue_token(app.state.auth_secret, f"fuzz-{role}", [role])
    request.node.fuzz_headers = {"Authorization": f"Bearer {token}"}
    request.node.fuzz_service = service
    # schemathesis's lazy schema names each operation's subtest by `node._nodeid`, which pytest 9 no longer has.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def auth_headers(request) -> dict[str, str]:
    return request.node.fuzz_headers


@pytest.fixture
def observe(request):
    """Writes each answer's status to the file CONTRACT_OBSERVED names, for `scripts/contract-report`."""
    path = os.environ.get("CONTRACT_OBSERVED")

    def record(case, response) -> None:
        if path:
            row = {
                "service": request.node.fuzz_service,
                "method": case.operation.method.upper(),
                "path": case.operation.path,
                "status": response.status_code,
            }
            with open(path, "a") as observed:
                observed.write(json.dumps(row) + "\n")

    return record


@schema.parametrize()
@settings(
    database=None,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_documented_and_none_is_a_server_error(case, auth_headers, observe):
    # An exception out of the app fails the test too: it is what a real server answers with a 500.
    response = case.call(headers=auth_headers)
    observe(case, response)
    case.validate_response(response, checks=CHECKS, headers=auth_headers)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
