"""The training service under test: its HTTP API on a manual clock, a clean schema per test, token helpers."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest

from services.training.bootstrap import definition as training_definition
from services.training.context import TrainingContext
from shared.auth import issue_token
from shared.clock import ManualClock
from shared.reference import ReferenceBundle
from shared.runtime.app import create_app
from shared.runtime.service import ServiceRuntime

DEFINITION = training_definition()
START = datetime(2026, 4, 4, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
async def clean_training_schema(infra) -> None:
    conn = await asyncpg.connect(infra.admin_database_url)
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'training' AND tablename <> 'schema_migrations'"
        )
        names = ", ".join(f'training."{t["tablename"]}"' for t in tables)
        await conn.execute(f"TRUNCATE {names} CASCADE")
    finally:
        await conn.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def context_for(settings_for, clock):
    def build(**overrides: object) -> TrainingContext:
        settings = settings_for(DEFINITION, **overrides)
        return TrainingContext(
            settings=settings, clock=clock, bundle=ReferenceBundle.load(settings.reference_bundle)
        )

    return build


@dataclass
class Api:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    secret: str

    def token(self, subject: str = "trainer-1", *roles: str) -> dict[str, str]:
        token = issue_token(self.secret, subject, list(roles or ("trainer",)))
        return {"Authorization": f"Bearer {token}"}

    def as_trainer(self, subject: str = "trainer-1") -> dict[str, str]:
        return self.token(subject, "trainer")

    def as_worker(self, person_id: str) -> dict[str, str]:
        return self.token(person_id, "community_worker")

    async def post(self, path: str, body: object = None, *, headers=None, expect: int | None = None):
        response = await self.client.post(path, json=body, headers=headers or self.as_trainer())
        if expect is not None:
            assert response.status_code == expect, response.text
        return response

    async def get(self, path: str, *, headers=None, **params):
        response = await self.client.get(path, params=params, headers=headers or self.as_trainer())
        assert response.status_code == 200, response.text
        return response.json()

    async def person(
        self, person_id: str, roles: list[str], organisation: str | None = "WG-TJ", **extra
    ) -> str:
        body = {
            "person_id": person_id,
            "display_name": person_id,
            "roles": roles,
            "organisation_code": organisation,
        }
        await self.post("/people", body | extra, expect=201)
        return person_id


@pytest.fixture
def api_for(settings_for, context_for):
    @contextlib.asynccontextmanager
    async def running(**overrides: object) -> AsyncIterator[Api]:
        context = context_for(**overrides)
        runtime = ServiceRuntime(DEFINITION, context.settings, context=context)
        app = create_app(DEFINITION, context.settings, runtime)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield Api(client, runtime, context.settings.auth_secret)

    return running


@pytest.fixture
async def api(api_for) -> AsyncIterator[Api]:
    async with api_for() as running:
        yield running


async def outbox(conn: asyncpg.Connection, event_type: str) -> list[dict]:
    rows = await conn.fetch(
        "SELECT data FROM training.outbox WHERE event_type = $1 ORDER BY position", event_type
    )
    return [json.loads(row["data"]) if isinstance(row["data"], str) else row["data"] for row in rows]
