"""A real HTTP server on 127.0.0.1 for the HTTP channels, and the client they share."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from services.notify.adapters.channels.port import HttpClient


@dataclass(frozen=True)
class Seen:
    path_qs: str
    headers: dict[str, str]
    body: bytes
    client_port: int  # the same for requests on one kept-alive connection


@dataclass
class LocalHttp:
    """Records every request and answers with the scripted (status, JSON) pairs in turn, then 200 errcode 0.
    `/slow` answers after a minute; `/moved` redirects to `/`."""

    base: str = ""
    answers: list[tuple[int, dict]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)

    def url(self, path_and_query: str) -> str:
        return self.base + path_and_query


@pytest.fixture
async def local_http() -> AsyncIterator[LocalHttp]:
    server = LocalHttp()

    async def answer(request: web.Request) -> web.StreamResponse:
        peer = request.transport.get_extra_info("peername") if request.transport else ("", 0)
        server.seen.append(Seen(request.path_qs, dict(request.headers), await request.read(), peer[1]))
        if request.path == "/slow":
            await asyncio.sleep(60)
        if request.path == "/moved":
            raise web.HTTPFound("/")
        status, body = server.answers.pop(0) if server.answers else (200, {"errcode": 0, "errmsg": "ok"})
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    server.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield server
    await runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    client = HttpClient(timeout_seconds=0.5)
    yield client
    await client.aclose()
