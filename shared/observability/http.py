"""The access log, the request id and the HTTP metrics of every app, in one pure ASGI middleware (Starlette's
BaseHTTPMiddleware copies each response through a task and a stream: too slow for every request).

With tracing on (shared/observability/tracing.py) each request is a span, continuing the caller's `traceparent`.

The request id is the caller's `X-Request-ID` when it is sane (a proxy's id), otherwise a new one; it is sent
back on the response and bound into the log context while the request runs, so every line it causes names it.
An error no handler took is logged here once, with the path, the request id and the traceback, and answered 500.
"""

from __future__ import annotations

import re
import time
import uuid

import structlog
from opentelemetry.trace import Span
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.observability import tracing
from shared.observability.metrics import ServiceMetrics

log = structlog.get_logger("shared.http.access")

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
_UNMATCHED = "unmatched"  # a path no route took: one label, not one per path tried
_INTERNAL_ERROR = b'{"detail":"Internal Server Error"}'


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SANE_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path if isinstance(path, str) else _UNMATCHED


class ObservedRequests:
    def __init__(self, app: ASGIApp, metrics: ServiceMetrics, service: str = "service") -> None:
        self.app = app
        self.metrics = metrics
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope.get("headers", []))
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        with (
            structlog.contextvars.bound_contextvars(request_id=request_id),
            tracing.http_server(self.service, scope["method"], scope["path"], scope["headers"]) as span,
        ):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                log.exception("unhandled error", method=scope["method"], path=scope["path"])
                if not response_started:
                    await send_with_id(
                        {
                            "type": "http.response.start",
                            "status": 500,
                            "headers": [
                                (b"content-type", b"application/json"),
                                (b"content-length", str(len(_INTERNAL_ERROR)).encode()),
                            ],
                        }
                    )
                    await send_with_id({"type": "http.response.body", "body": _INTERNAL_ERROR})
            finally:
                self._record(scope, status, time.perf_counter() - started, span)

    def _record(self, scope: Scope, status: int, seconds: float, span: Span | None) -> None:
        method, route = scope["method"], route_template(scope)
        if span is not None:
            tracing.finish_http(span, method, route, status)
        self.metrics.http_requests.labels(method, route, str(status)).inc()
        self.metrics.http_duration.labels(method, route).observe(seconds)
        log.info(
            "request",
            method=method,
            route=route,
            path=scope["path"],
            status=status,
            duration_ms=round(seconds * 1000, 2),
        )
