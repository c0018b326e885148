"""End to end: the four services and the console as separate processes, the article's story played through their
HTTP APIs, and what each wrote on stderr meanwhile: JSON lines only, with access lines (tests/e2e/test_logs.py
checks a service's log line by line)."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from contextlib import AsyncExitStack

from services import SERVICE_NAMES
from tests.support.logs import json_records
from tests.support.processes import free_port, service_process


async def test_the_demo_plays_old_mas_story_through_the_running_system(infra, topology):
    """The README's path: the services as `make run` starts them (development, no SMS gateway), then the demo."""
    ports = {name: free_port() for name in SERVICE_NAMES}
    base = {key: value for key, value in os.environ.items() if key not in ("SMS_GATEWAY_URL", "ENVIRONMENT")}
    base |= dict(RABBITMQ_URL=infra.rabbitmq_url, AMQP_NAMESPACE=topology.namespace)
    logs: dict[str, list[str]] = {name: [] for name in SERVICE_NAMES}
    async with AsyncExitStack() as stack:
        for name in SERVICE_NAMES:
            env = {
                **base,
                "DATABASE_URL": infra.database_url(name),
                "LOG_FORMAT": "json",
                "LOG_LEVEL": "INFO",
            }
            await stack.enter_async_context(service_process(name, env, ports[name], log=logs[name]))
        demo = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ops",
            "demo",
            env={
                **base,
                **{f"{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()},
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(demo.communicate(), timeout=120)
    output = out.decode()
    assert demo.returncode == 0, err.decode()[-3000:]
    assert output.count("已核实并结案") == 3, output
    for unit in ("WG-TJ-property", "municipal-maintenance", "greenery"):
        assert f"→ {unit}" in output
    told = output[output.index("What Old Ma was told") :]
    sent_texts = [line for line in told.splitlines() if "by sms [sent]" in line and "【处置完成】" in line]
    assert len(sent_texts) == 3, f"Old Ma is told of each fix by text message:\n{told}"
    assert "/desk/cases/" in output and "create-account --username" in output, "the console's way in"
    assert len(re.findall(r"case DD-\d{4}-\d{6}", output)) >= 6, "cases named by their numbers, not UUIDs"
    assert "/inbox/cases/" in output, "each unit's own case page"

    for name in SERVICE_NAMES:  # the whole run, start to stop, of each of the five
        records = json_records(logs[name], name)
        assert any(record.get("event") == "service started" for record in records), name
        assert any(record.get("event") == "request" and record.get("route") for record in records), (
            f"{name} wrote no access line"
        )
        assert any(record.get("logger", "").startswith("uvicorn") for record in records), (
            f"{name}: uvicorn's lines"
        )
