"""The HTTP client the webhook, robot and SMS channels share: one pool of keep-alive connections, set up from the
environment the way httpx was. aiohttp, because it takes under a third of httpx's CPU per request, and a tenth
with many requests at once (httpcore's pool bookkeeping and anyio's cancel scopes)."""

from __future__ import annotations

import json
import os
import ssl
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import certifi


@dataclass(frozen=True)
class HttpResponse:
    """An HTTP answer, read in full (so that its connection goes back to the pool at once)."""

    status_code: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class HttpClient:
    """`timeout_seconds` bounds getting a connection (from the pool, or a new one) and each read of the answer.
    Redirects are not followed: a 3xx is the answer.

    The environment is read once, when the session opens (aiohttp's own `trust_env` reads it, and ~/.netrc, on
    every request, which more than triples a request's CPU): HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY;
    SSL_CERT_FILE or SSL_CERT_DIR, else certifi's bundle. The session opens on first use because it belongs to
    the event loop that runs it, and the context is built before that loop starts.
    """

    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = aiohttp.ClientTimeout(total=None, connect=timeout_seconds, sock_read=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str] = {}

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpResponse:
        session = self._open()
        async with session.post(
            url, data=body, headers=headers, allow_redirects=False, proxy=self._proxy_for(url)
        ) as response:
            return HttpResponse(response.status, await response.text(errors="replace"))

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._proxies = urllib.request.getproxies()
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100, ssl=_certificates()), timeout=self._timeout
            )
        return self._session

    def _proxy_for(self, url: str) -> str | None:
        if not self._proxies:
            return None
        parts = urlsplit(url)
        if urllib.request.proxy_bypass_environment(parts.hostname or "", self._proxies):
            return None
        return self._proxies.get(parts.scheme) or self._proxies.get("all")


def _certificates() -> ssl.SSLContext:
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    return ssl.create_default_context(cafile=certifi.where())
