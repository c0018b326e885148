"""Running the operator tools as a person would: `python -m ops ...` in a child process."""

from __future__ import annotations

import asyncio
import os
import sys

from tests.support.infra import Infra


def environment(infra: Infra, namespace: str) -> dict[str, str]:
    return dict(
        os.environ,
        RABBITMQ_URL=infra.rabbitmq_url,
        AMQP_NAMESPACE=namespace,
        ADMIN_DATABASE_URL=infra.admin_database_url,
        PYTHONUNBUFFERED="1",
    )


async def start(infra: Infra, namespace: str, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ops",
        *args,
        env=environment(infra, namespace),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def run(infra: Infra, namespace: str, *args: str, timeout: float = 60) -> tuple[int, str, str]:
    process = await start(infra, namespace, *args)
    out, err = await asyncio.wait_for(process.communicate(), timeout=timeout)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
