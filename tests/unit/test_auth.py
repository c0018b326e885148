"""Bearer tokens: signed, expiring, and checked for roles on every protected endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI

from shared.auth import InvalidToken, Principal, issue_token, main, require, verify_token
from shared.http.problems import install_problems

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def test_a_token_carries_its_subject_and_roles():
    token = issue_token(SECRET, "w-0001", ["watcher"], community_code="WG-TJ")
    principal = verify_token(SECRET, token)
    assert principal == Principal("w-0001", frozenset({"watcher"}), "WG-TJ")


def test_a_token_carries_the_street_and_units_its_holder_works_in():
    token = issue_token(SECRET, "h-7", ["handler"], street_code="WG", unit_ids=["greenery", "WG-office"])
    principal = verify_token(SECRET, token)
    assert principal.street_code == "WG" and principal.unit_ids == {"greenery", "WG-office"}
    assert principal.community_code is None


def test_a_units_claim_that_is_not_a_list_of_strings_is_refused():
    now = datetime.now(UTC)
    claims = {"iss": "grassroots", "sub": "h-7", "roles": ["handler"], "exp": now + timedelta(hours=1)}
    token = jwt.encode({**claims, "units": "greenery"}, SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken, match="units"):
        verify_token(SECRET, token)


def test_a_token_signed_with_another_secret_is_refused():
    token = issue_token("another-secret-entirely-and-also-long-enough", "w-0001", ["watcher"])
    with pytest.raises(InvalidToken, match="Signature"):
        verify_token(SECRET, token)


def test_an_expired_token_is_refused():
    token = issue_token(SECRET, "w-0001", ["watcher"], now=datetime.now(UTC) - timedelta(days=2))
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(SECRET, token)


def test_unknown_roles_cannot_be_issued():
    with pytest.raises(ValueError, match="emperor"):
        issue_token(SECRET, "x", ["emperor"])


@pytest.fixture
def client():
    app = FastAPI()
    app.state.auth_secret = SECRET
    install_problems(app)

    @app.post("/cases/{case_id}/accept")
    async def accept(case_id: str, principal: Principal = Depends(require("handler"))) -> dict[str, str]:
        return {"accepted_by": principal.subject}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_a_write_endpoint_refuses_a_request_without_a_token(client):
    response = await client.post("/cases/1/accept")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["title"] == "Unauthorized"


async def test_a_write_endpoint_refuses_the_wrong_role(client):
    token = issue_token(SECRET, "r-1", ["resident"])
    response = await client.post("/cases/1/accept", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "handler" in response.json()["detail"]


async def test_a_write_endpoint_accepts_the_right_role_and_admins(client):
    for roles in (["handler"], ["admin"]):
        token = issue_token(SECRET, "h-7", roles)
        response = await client.post("/cases/1/accept", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert response.json() == {"accepted_by": "h-7"}


def test_the_command_line_issues_a_token_for_the_configured_secret(monkeypatch, capsys):
    monkeypatch.setenv("AUTH_SECRET", SECRET)
    assert main(["--subject", "d-1", "--role", "dispatcher", "--days", "2"]) == 0
    principal = verify_token(SECRET, capsys.readouterr().out.strip())
    assert principal.subject == "d-1" and principal.roles == {"dispatcher"}
    assert main(["--subject", "h-1", "--role", "handler", "--unit", "greenery", "--unit", "WG-office"]) == 0
    assert verify_token(SECRET, capsys.readouterr().out.strip()).unit_ids == {"greenery", "WG-office"}
    assert main(["--subject", "cw-1", "--role", "community_worker", "--street", "WG"]) == 0
    assert verify_token(SECRET, capsys.readouterr().out.strip()).street_code == "WG"
