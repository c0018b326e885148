"""The ASGI application of a service: its routers, health endpoints, and the runtime in the lifespan."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any, Literal

import asyncpg
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel, Field

from shared.http.contract import install_contract
from shared.http.edge import guard_request
from shared.http.problems import install_problems
from shared.logging import configure_logging
from shared.observability import tracing
from shared.observability.http import ObservedRequests
from shared.observability.tracing import configure_tracing
from shared.runtime.definition import ServiceDefinition
from shared.runtime.service import ServiceRuntime
from shared.settings import ServiceSettings
from shared.unit_of_work import UnitOfWork, unit_of_work


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, str] = Field(description="Each check: `ok`, or what is wrong.")


def create_app(
    definition: ServiceDefinition, settings: ServiceSettings, runtime: ServiceRuntime | None = None
) -> FastAPI:
    runtime = runtime or ServiceRuntime(definition, settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(definition.name, log_format=settings.log_format, level=settings.log_level)
        configure_tracing(definition.name, settings.otel_exporter_otlp_endpoint)
        await runtime.start()
        app.state.pool = runtime.pool
        app.state.context = runtime.context
        try:
            yield
        finally:
            await runtime.stop()
            tracing.flush()

    app = FastAPI(
        title=f"grassroots {definition.name}",
        description=definition.description,
        lifespan=lifespan,
        dependencies=[Depends(guard_request)],
        max_body_size=settings.max_request_bytes,
    )
    install_problems(app)
    app.add_middleware(ObservedRequests, metrics=runtime.metrics, service=definition.name)
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.auth_secret = settings.auth_secret
    app.state.source = definition.source
    for router in definition.routers:
        app.include_router(router)

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": definition.name}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="The database, the broker and the relay are reachable",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "Something is not ready; `checks` names it."}},
    )
    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
        )

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics of this process",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
    )
    async def metrics() -> Response:
        return Response(await runtime.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    install_contract(app)
    return app


class ServiceHandle:
    """What a route needs to run a command: `async with service.unit_of_work() as uow:` (one transaction, the
    service's events with it), the pool for reads, the service's dependencies. Use as `Depends(service_of)`."""

    def __init__(self, request: Request) -> None:
        self.pool: asyncpg.Pool = request.app.state.pool
        self.context: Any = request.app.state.context
        self.source: str = request.app.state.source

    def unit_of_work(self) -> contextlib.AbstractAsyncContextManager[UnitOfWork]:
        return unit_of_work(self.pool, self.source, self.context)


# The dependencies are coroutines although they do no I/O: FastAPI runs a plain function in a worker thread, and
# three thread hops per request were ~8% of a service's CPU under load.
async def service_of(request: Request) -> ServiceHandle:
    """A FastAPI dependency: the service's handle (a coroutine, so FastAPI builds it without a thread hop)."""
    return ServiceHandle(request)


async def pool_of(request: Request) -> asyncpg.Pool:
    """A FastAPI dependency: the service's database pool."""
    return request.app.state.pool


async def context_of(request: Request) -> Any:
    """A FastAPI dependency: the service's dependencies (clock, storage, settings...)."""
    return request.app.state.context


async def source_of(request: Request) -> str:
    """A FastAPI dependency: the CloudEvents source of the service's events."""
    return request.app.state.source
