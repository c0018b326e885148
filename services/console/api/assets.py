"""What the console serves itself (no CDN): its scripts and styles, Swagger UI for the four APIs, report photos,
and the server-sent events that keep open pages current."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import FileResponse, Response, StreamingResponse
from swagger_ui_bundle import swagger_ui_path

from services.console.api.web import Session, page, render, session_of
from services.console.context import ConsoleContext
from shared.runtime.app import context_of

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"
SWAGGER = Path(str(swagger_ui_path))
SERVICES = ("patrol", "dispatch", "notify", "training")
# An event stream ends after this long and the browser opens a new one: proxies and idle timeouts never cut
# it, and a stopping console is not held up by open pages.
STREAM_SECONDS = 25.0
# Changes that bring a case into a unit's inbox; a unit's page reloads on these only, not while its handler types.
ARRIVALS = frozenset(
    {"dispatch.assigned", "dispatch.reassigned", "dispatch.escalated", "issue.reopened", "dispatch.cancelled"}
)


def _file_in(folder: Path, path: str) -> FileResponse:
    target = (folder / path).resolve()
    if not target.is_file() or folder.resolve() not in target.parents:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no file {path}")
    return FileResponse(target, headers={"Cache-Control": "public, max-age=3600"})


@router.get("/static/{path:path}")
async def static(path: str) -> FileResponse:
    return _file_in(STATIC, path)


@router.get("/swagger-ui/{path:path}")
async def swagger_assets(path: str) -> FileResponse:
    return _file_in(SWAGGER, path)


@router.get("/docs")
async def docs_index(request: Request, session: Session = Depends(page("/docs"))) -> Response:
    return render(request, "docs_index.html", session, services=SERVICES)


@router.get("/docs/{service}")
async def docs(
    service: Literal["patrol", "dispatch", "notify", "training"],
    request: Request,
    session: Session = Depends(page("/docs")),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    return render(request, "docs.html", session, service=service, openapi_url=f"/docs/{service}/openapi.json")


@router.get("/docs/{service}/openapi.json")
async def openapi(
    service: Literal["patrol", "dispatch", "notify", "training"],
    _: Session = Depends(page("/docs")),
    context: ConsoleContext = Depends(context_of),
) -> Response:
    """The service's OpenAPI document through the console (same origin), naming the service as its server."""
    answer = await context.platform.raw(service, "/openapi.json")
    if answer.status_code != 200:
        raise HTTPException(
            status.HTTP_502_BAD_GATEWAY, detail=f"{service} did not give its OpenAPI document"
        )
    document = answer.json()
    document["servers"] = [{"url": context.platform.urls[service]}]
    # The locked swagger-ui-bundle (Swagger UI 4) refuses OpenAPI 3.1, which FastAPI writes; the documents use
    # nothing of 3.1 that Swagger UI 4 cannot draw, so they are offered as 3.0.
    document["openapi"] = "3.0.3"
    return Response(json.dumps(document), media_type="application/json")


@router.get("/photos/{name}")
async def photo(
    name: str, _: Session = Depends(session_of), context: ConsoleContext = Depends(context_of)
) -> Response:
    """A report photo from patrol, so a page loads every image from the console itself."""
    answer = await context.platform.raw("patrol", f"/photos/{name}")
    if answer.status_code != 200:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no photo {name}")
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", "application/octet-stream"),
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/events")
async def events(
    request: Request, _: Session = Depends(session_of), context: ConsoleContext = Depends(context_of)
) -> StreamingResponse:
    """Server-sent events: `case` whenever a case changes, `arrival` when one comes into an inbox (and both once
    on connecting, to catch up on what happened while no stream was open)."""
    broadcaster = context.broadcaster
    queue = broadcaster.listen()

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 1000\nevent: case\ndata: {}\n\nevent: arrival\ndata: {}\n\n"
            deadline = asyncio.get_running_loop().time() + STREAM_SECONDS
            while (left := deadline - asyncio.get_running_loop().time()) > 0:
                if await request.is_disconnected():
                    return
                try:
                    change = await asyncio.wait_for(queue.get(), timeout=min(left, 5.0))
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                # Only that something changed: every open page hears it, and a page asks its own API again
                # with its own token, so no case of someone else's area is told here.
                yield "event: case\ndata: {}\n\n"
                if change.event_type in ARRIVALS:
                    yield "event: arrival\ndata: {}\n\n"
        finally:
            broadcaster.forget(queue)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
