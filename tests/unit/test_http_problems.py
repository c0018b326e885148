"""One error model: every refusal of every service is RFC 9457 problem details, and each operation's document
states the refusals and roles its route can answer."""

from __future__ import annotations

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import BaseModel, Field

from shared.auth import Principal, issue_token, require
from shared.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from shared.http.contract import answers, install_contract
from shared.http.problems import install_problems

SECRET = "a-secret-for-the-problem-tests-long-enough"


class Body(BaseModel):
    name: str = Field(min_length=1)
    size: int


def _app() -> FastAPI:
    app = FastAPI()
    app.state.auth_secret = SECRET
    install_problems(app)

    @app.post("/things/{thing_id}", responses=answers(409, 503))
    async def act(thing_id: str, body: Body, _: Principal = Depends(require("dispatcher"))) -> dict[str, str]:
        raise {
            "gone": NotFound("thing_id", f"no thing {thing_id}"),
            "theirs": Forbidden("community_code", "not your community"),
            "busy": Conflict("the thing is closed", state="closed", current_status="closed"),
            "bad": Invalid("items[0].unit_id", "no unit X"),
            "later": Unavailable("not loaded yet", retry_after=5),
        }[thing_id]

    @app.get("/open")
    async def open_route() -> dict[str, str]:
        return {"status": "ok"}

    install_contract(app)
    return app


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(SECRET, 'd-1', ['dispatcher'])}"}


@pytest.mark.parametrize(
    ("thing", "status", "members"),
    [
        ("gone", 404, {"field": "thing_id", "detail": "no thing gone"}),
        ("theirs", 403, {"field": "community_code", "detail": "not your community"}),
        ("busy", 409, {"state": "closed", "current_status": "closed", "detail": "the thing is closed"}),
        ("later", 503, {"detail": "not loaded yet"}),
    ],
)
async def test_a_domain_error_is_answered_as_problem_details(thing, status, members):
    async with _client(_app()) as client:
        response = await client.post(f"/things/{thing}", json={"name": "x", "size": 1}, headers=_auth())
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["instance"] == f"/things/{thing}"
    assert problem["type"].startswith("urn:grassroots:problem:") and problem["title"]
    assert members.items() <= problem.items()


async def test_a_service_that_is_not_ready_says_when_to_try_again():
    async with _client(_app()) as client:
        response = await client.post("/things/later", json={"name": "x", "size": 1}, headers=_auth())
    assert response.headers["retry-after"] == "5"


async def test_an_invalid_field_names_where_it_is():
    async with _client(_app()) as client:
        response = await client.post("/things/bad", json={"name": "x", "size": 1}, headers=_auth())
    problem = response.json()
    assert response.status_code == 422 and problem["type"] == "urn:grassroots:problem:invalid"
    assert problem["errors"] == [
        {
            "loc": ["body", "items[0]", "unit_id"],
            "field": "items[0].unit_id",
            "reason": "no unit X",
            "type": "value_error",
        }
    ]


async def test_request_validation_is_the_same_problem_with_every_field():
    async with _client(_app()) as client:
        response = await client.post("/things/gone", json={"name": "", "size": "many"}, headers=_auth())
    problem = response.json()
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert {error["field"] for error in problem["errors"]} == {"name", "size"}
    assert all(error["loc"][0] == "body" and error["reason"] for error in problem["errors"])


async def test_authentication_and_routing_refusals_are_problems_too():
    async with _client(_app()) as client:
        anonymous = await client.post("/things/gone", json={"name": "x", "size": 1})
        nowhere = await client.get("/nowhere")
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.json()["type"] == "urn:grassroots:problem:unauthorized"
    assert nowhere.status_code == 404 and nowhere.json()["type"] == "about:blank"
    assert nowhere.json()["title"] == "Not Found"


def test_the_document_states_each_refusal_and_the_roles_from_the_route_itself():
    document = _app().openapi()
    operation = document["paths"]["/things/{thing_id}"]["post"]
    assert operation["x-roles"] == ["dispatcher"] and "`dispatcher`" in operation["description"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "409", "422", "503"}
    for status in ("400", "401", "403", "404", "409", "422", "503"):
        content = operation["responses"][status]["content"]
        assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert "Problem" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    open_operation = document["paths"]["/open"]["get"]
    assert set(open_operation["responses"]) == {"200"} and "x-roles" not in open_operation
