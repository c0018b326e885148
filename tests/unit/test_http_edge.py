"""The edge's answers to database errors that slip past it: 4xx, never 500, and logged as defects."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from fastapi import Depends, FastAPI
from structlog.testing import capture_logs

from shared.http.edge import guard_request
from shared.http.problems import install_problems


def _app_raising(error: Exception) -> FastAPI:
    app = FastAPI(dependencies=[Depends(guard_request)])
    install_problems(app)

    @app.post("/things")
    async def things() -> None:
        raise error

    return app


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (asyncpg.DataError("invalid input for query argument $1 (value out of int64 range)"), 422),
        (asyncpg.UntranslatableCharacterError("unsupported Unicode escape sequence"), 422),
        (asyncpg.ProgramLimitExceededError("index row size 3016 exceeds btree version 4 maximum 2704"), 422),
        (asyncpg.ForeignKeyViolationError("violates foreign key constraint"), 422),
        (asyncpg.UniqueViolationError("duplicate key value violates unique constraint"), 409),
    ],
)
async def test_a_database_error_caused_by_the_request_is_a_4xx_logged_as_a_defect(error, status):
    transport = httpx.ASGITransport(app=_app_raising(error))
    with capture_logs() as logs:
        async with httpx.AsyncClient(transport=transport, base_url="http://edge") as client:
            response = await client.post("/things")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["instance"] == "/things"
    if status == 422:
        assert problem["errors"][0]["loc"] == ["request"]
    [entry] = logs
    assert entry["log_level"] == "error" and entry["event"].startswith("defect:")
    assert entry["path"] == "/things"


async def test_integers_are_bounded_by_the_route_s_own_parameter_types():
    app = FastAPI(dependencies=[Depends(guard_request)])
    install_problems(app)

    @app.get("/pages/{number}")
    async def page(number: int, limit: int | None = None, name: str = "") -> dict:
        return {"number": number, "limit": limit, "name": name}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as client:
        beyond = str(2**63)
        refused = await client.get(f"/pages/{beyond}", params={"limit": beyond, "name": beyond})
        kept = await client.get("/pages/1", params={"name": beyond})
    assert [error["loc"] for error in refused.json()["errors"]] == [["path", "number"], ["query", "limit"]]
    assert kept.json() == {"number": 1, "limit": None, "name": beyond}
