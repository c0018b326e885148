"""Each kind of value the fuzzer found reaching PostgreSQL (and failing there with a 500), sent on purpose to the
real apps: the edge refuses it with a 422 naming the field, in every service."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from fastapi import FastAPI
from schemathesis.python.asgi import get_client

from services.patrol.bootstrap import definition as patrol_definition
from shared.auth import issue_token
from shared.runtime.app import create_app

BEYOND_INT64 = str(2**63)  # one more than PostgreSQL's bigint holds


@pytest.fixture
def call(fuzz_broker_cleanup, fuzz_apps: dict[str, FastAPI]):
    """`call(service, role, method, url, json_text=None, **requests_kwargs)` → the response of the real app;
    `json_text` is sent as it is (JSON that `json=` could not write, like an escaped lone surrogate)."""

    def send(service: str, role: str, method: str, url: str, json_text: str | None = None, **kwargs):
        app = fuzz_apps[service]
        headers = {"Authorization": f"Bearer {issue_token(app.state.auth_secret, f'edge-{role}', [role])}"}
        if json_text is not None:
            headers["Content-Type"] = "application/json"
            kwargs["data"] = json_text.encode()
        with get_client(app) as client:
            return client.request(method, url, headers=headers, **kwargs)

    return send


def refused_at(response) -> list[list]:
    assert response.status_code == 422, response.text
    return [error["loc"] for error in response.json()["errors"]]


def test_a_nul_in_a_query_parameter_is_refused_naming_it(call):
    response = call("patrol", "dispatcher", "GET", "/watchers?street_code=a%00b")
    assert refused_at(response) == [["query", "street_code"]]


def test_a_nul_in_a_path_parameter_is_refused_naming_it(call):
    assert refused_at(call("training", "trainer", "GET", "/people/p%00q")) == [["path", "person_id"]]
    assert refused_at(call("notify", "admin", "GET", "/rules/r%00")) == [["path", "rule_id"]]


def test_a_path_parameter_too_long_for_an_index_row_is_refused_naming_it(call):
    unit_id = "".join(chr(0x4E00 + (index * 7919) % 20000) for index in range(1200))  # 3.6 kB, incompressible
    body = {"kind": "property_company", "name_zh": "物业", "name_en": "Property"}
    response = call("dispatch", "admin", "PUT", f"/admin/units/{unit_id}", json=body)
    assert refused_at(response) == [["path", "unit_id"]]


@pytest.mark.parametrize(
    ("service", "role", "url"),
    [
        ("patrol", "dispatcher", "/watchers"),
        ("patrol", "dispatcher", "/patrols"),
        ("dispatch", "dispatcher", "/cases"),
    ],
)
def test_an_offset_beyond_64_bits_is_refused_naming_it(call, service, role, url):
    assert refused_at(call(service, role, "GET", f"{url}?offset={BEYOND_INT64}")) == [["query", "offset"]]


def test_a_nul_or_a_lone_surrogate_in_json_is_refused_naming_the_field(call):
    person = {"display_name": "老马", "roles": ["secretary"], "organisation_code": "WG-TJ"}
    with_nul = json.dumps({**person, "display_name": "老\x00马"})
    with_surrogate = json.dumps(person, ensure_ascii=False).replace("老马", "\\ud800")
    for body in (with_nul, with_surrogate):
        response = call("training", "trainer", "POST", "/people", json_text=body)
        assert refused_at(response) == [["body", "display_name"]]


def test_an_integer_beyond_64_bits_in_json_is_refused_naming_it(call):
    body = '{"category": "fire.*", "scope": "district", "unit_kind": "street_office", "priority": %s}'
    response = call("dispatch", "admin", "POST", "/admin/routing-rules", json_text=body % BEYOND_INT64)
    assert refused_at(response) == [["body", "priority"]]


def test_nan_and_infinity_in_json_are_refused(call):
    body = '{"scores": [{"person_id": "p-1", "score": NaN}]}'
    response = call(
        "training", "trainer", "POST", f"/competitions/{uuid.uuid4()}/preliminary", json_text=body
    )
    assert refused_at(response) == [["body"]]


def test_a_datetime_its_offset_takes_beyond_the_calendar_is_refused_naming_it(call):
    session = {
        "kind": "case_workshop",
        "title": "案例工坊",
        "place": "大东区党群服务中心",
        "starts_at": "0001-01-01T00:00:00+14:00",
        "ends_at": "0001-01-01T10:00:00+14:00",
        "capacity": 10,
    }
    assert refused_at(call("training", "trainer", "POST", "/sessions", json=session)) == [
        ["body", "starts_at"],
        ["body", "ends_at"],
    ]
    url = "/statistics?by=unit&opened_from=0001-01-01T00:00:00%2B14:00"
    assert refused_at(call("dispatch", "dispatcher", "GET", url)) == [["query", "opened_from"]]


@pytest.mark.parametrize("action", ["return", "reassign"])
def test_a_blank_reason_counts_as_no_reason(call, action):
    body = {"reason": "\t \n", "unit_id": "WG-office"}
    response = call("dispatch", "admin", "POST", f"/cases/{uuid.uuid4()}/{action}", json=body)
    assert refused_at(response) == [["body", "reason"]]


def test_a_nul_in_a_form_field_is_refused_naming_it(call):
    form = {"service_code": "fire.corridor", "description": "堵\x00塞", "lat": "41.8", "long": "123.4"}
    response = call("patrol", "resident", "POST", "/open311/v2/requests.json", data=form)
    assert refused_at(response) == [["body", "description"]]


def test_a_csv_cell_with_a_nul_or_beyond_the_csv_field_limit_is_refused(call):
    with_nul = "display_name,phone,community\n老\x00马,13800138000,WG-TJ\n"
    response = call(
        "patrol", "dispatcher", "POST", "/watchers/import?dry_run=true", files={"file": ("w.csv", with_nul)}
    )
    assert response.status_code == 200, response.text
    assert [(r["row"], r["field"]) for r in response.json()["rejects"]] == [(2, "display_name")]
    huge = f'display_name,phone,community\n"{"长" * 131_073}",13800138000,WG-TJ\n'
    response = call(
        "patrol", "dispatcher", "POST", "/watchers/import?dry_run=true", files={"file": ("w.csv", huge)}
    )
    assert refused_at(response) == [["body", "file"]]


async def test_a_body_over_the_limit_is_refused_before_it_is_read():
    definition = patrol_definition()
    settings = definition.settings_class(service_name="patrol", max_request_bytes=4096)
    app = create_app(definition, settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://patrol") as client:
        response = await client.post("/watchers", content=b"{" + b" " * 8192 + b"}")
    assert response.status_code == 413
