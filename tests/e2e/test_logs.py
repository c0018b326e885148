"""A service's log as an operator reads it: with LOG_FORMAT=json every line on stderr is JSON, the libraries' too
(uvicorn, asyncpg, aio-pika), each request has an access line, and an unhandled error is one line naming its path.
The four services' and the console's whole logs during the demo are read the same way in tests/e2e/test_demo.py."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import httpx

from tests.support.processes import free_port


async def test_every_line_is_json_with_an_access_line_per_request_and_the_500_naming_its_path(
    infra, topology
):
    port = free_port()
    env = {
        **os.environ,
        "RABBITMQ_URL": infra.rabbitmq_url,
        "AMQP_NAMESPACE": topology.namespace,
        "DATABASE_URL": infra.database_url("training"),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "HTTP_PORT": str(port),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.raising_service",
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(150):
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.returncode is None, "the service exited"
                await asyncio.sleep(0.2)
            given = await client.get("/healthz", headers={"X-Request-ID": "from-the-proxy-42"})
            made = await client.get("/people/not-a-uuid", headers={"X-Request-ID": "bad id\twith tab"})
            failed = await client.get("/test/raise/the-balcony")
    finally:
        process.terminate()
        stderr = (await process.stderr.read()).decode()
        await process.wait()

    assert given.headers["x-request-id"] == "from-the-proxy-42"
    assert made.headers["x-request-id"] != "bad id\twith tab" and len(made.headers["x-request-id"]) == 32
    assert failed.status_code == 500 and failed.json() == {"detail": "Internal Server Error"}
    # sized, not chunked: a kept-alive client that reads by Content-Length takes no leftover for its next answer
    assert failed.headers["content-length"] == str(len(failed.content))
    assert "transfer-encoding" not in failed.headers
    lines = [line for line in stderr.splitlines() if line.strip()]
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"a line on stderr is not JSON: {line!r}\n\n{stderr[-3000:]}") from None
    assert all(record.get("service") == "training" for record in records), stderr[-3000:]
    assert any(record.get("logger", "").startswith("uvicorn") for record in records), "uvicorn's own lines"

    access = [record for record in records if record.get("event") == "request"]
    assert len(access) >= 4, "one access line per request"
    assert not [record for record in records if record.get("logger") == "uvicorn.access"], (
        "only one per request"
    )
    health = next(record for record in access if record["request_id"] == "from-the-proxy-42")
    assert health["method"] == "GET" and health["route"] == "/healthz" and health["status"] == 200
    assert isinstance(health["duration_ms"], float | int)
    templated = next(record for record in access if record["request_id"] == made.headers["x-request-id"])
    assert templated["route"] == "/people/{person_id}" and templated["path"] == "/people/not-a-uuid"

    errors = [record for record in records if record.get("level") == "error"]
    assert len(errors) == 1, f"one line for the error: {errors}"
    (error,) = errors
    assert error["path"] == "/test/raise/the-balcony"
    assert error["request_id"] == failed.headers["x-request-id"]
    assert "RuntimeError: a defect reached by the-balcony" in error["exception"]
    assert "Traceback" in error["exception"]
