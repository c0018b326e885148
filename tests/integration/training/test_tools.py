"""The operator commands: load the reference bundle, then the sample, each safe to run twice."""

from __future__ import annotations

import asyncio
import json
import os
import sys


async def _tool(infra, command: str) -> dict:
    env = os.environ | {"DATABASE_URL": infra.database_url("training"), "LOG_FORMAT": "json"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.training", command,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()[-2000:]
    return json.loads(out.decode().strip().splitlines()[-1])


async def test_load_reference_then_load_sample_from_the_command_line_are_idempotent(infra, admin_db):
    assert (await _tool(infra, "load-reference"))["reference_loaded"] is True
    assert (await _tool(infra, "load-reference"))["reference_loaded"] is False
    first = await _tool(infra, "load-sample")
    assert first["sample_loaded"]["candidates"] == 290
    assert (await _tool(infra, "load-sample"))["sample_loaded"] == "already loaded"
    assert await admin_db.fetchval("SELECT count(*) FROM training.studios") == 5
